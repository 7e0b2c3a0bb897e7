"""Knowledge distillation: a trained classifier teaches a smaller student (model.py), on the
classifier's own task; `mmzoo distill` trains one."""

from mmzoo.models.distillation.presets import PRESETS
from mmzoo.models.family import Family

FAMILY = Family(
    name="distillation", model="distiller", builder="mmzoo.models.distillation.model:distiller",
    tasks=None, presets=PRESETS, trained_model_args=("teacher",),
    built_model_arg=("student", "student_model", "student_args"),
    small_configs=(("avdigits", {"teacher": "fusion_avdigits", "student_model": "fusion_classifier",
                                 "student_args": {"fusion": "attention", "width": 16, "recurrent_layers": 0}}),))
