"""Competition-grade image recognition on fastai and timm: shared splits, TTA, fitted ensembles, submissions.

Modules:

- `compvis_kit.submit`: Submission files matched by id to the sample submission, with a manifest of what made them; and scoring against a held-out solution."""

__version__ = "0.0.1"
