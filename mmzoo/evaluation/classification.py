"""Classification metrics from scikit-learn, over a whole dataset."""

from __future__ import annotations

import numpy as np
from sklearn import metrics


def predict_dataset(model, dataset):
    """(labels, probabilities) for every example of a (features, label) dataset."""
    import tensorflow as tf

    predict = tf.function(lambda features: model(features, training=False), reduce_retracing=True)
    labels, probabilities = [], []
    for features, label in dataset:
        probabilities.append(np.asarray(predict(features)))
        labels.append(np.asarray(label))
    return np.concatenate(labels), np.concatenate(probabilities)


def classification_metrics(labels, probabilities, class_names) -> dict:
    predictions = probabilities.argmax(axis=-1)
    classes = list(range(len(class_names)))
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        labels, predictions, labels=classes, average="macro", zero_division=0)
    return {
        "examples": int(labels.size),
        "accuracy": float(metrics.accuracy_score(labels, predictions)),
        "precision_macro": float(precision),
        "recall_macro": float(recall),
        "f1_macro": float(f1),
        "confusion_matrix": metrics.confusion_matrix(labels, predictions, labels=classes).tolist(),
        "class_names": list(class_names),
    }


def evaluate_classifier(model, dataset, class_names) -> dict:
    return classification_metrics(*predict_dataset(model, dataset), class_names)
