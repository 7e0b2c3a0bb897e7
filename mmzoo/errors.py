"""Errors that name the input and what was wrong with it."""


class InvalidInputError(ValueError):
    """An input (file, caption, recording, image) that mmzoo cannot use.

    The message always starts with the input's name (a path, a feature name or an index),
    so that a user with thousands of files knows which one to look at.
    """

    def __init__(self, input_name, problem):
        self.input_name = str(input_name)
        self.problem = problem
        super().__init__(f"{self.input_name}: {problem}")
