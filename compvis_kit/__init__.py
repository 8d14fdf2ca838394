"""Competition-grade image recognition on fastai and timm: shared splits, TTA, fitted ensembles, submissions.

Modules:

- `compvis_kit.cli`: The user's own competition folder from the shell: `cvk-train`, `cvk-runs`, `cvk-submit`, `cvk-check-images`, `cvk-predict`, without writing any Python.
- `compvis_kit.distributed`: Data-parallel training on several GPUs or machines: fastai's `DistributedTrainer` (accelerate's DDP), shards that match one process's batches, predictions gathered in id order.
- `compvis_kit.shell`: One way for every `cvk-*` command to speak shell: one-line errors in the command's own flags, suggestions for mistyped flags and names, `--debug` for the traceback.
- `compvis_kit.submit`: Submission files matched by id to the sample submission, with a manifest of what made them; and scoring against a held-out solution.
- `compvis_kit.tta`: Predictions from a fastai `Learner` as `Preds` aligned by id, and deterministic one-pass test-time augmentation: named views applied to each batch on the device, the data read once."""

__version__ = "0.0.1"

import warnings
# fastai 2.8 calls `torch.jit.script` at import, which torch 2.9+ deprecates: a FutureWarning on every command's stderr
# and in every notebook, about fastai's code, not the user's. Filtered here, once, for that message alone.
warnings.filterwarnings('ignore', r'`torch\.jit\.script` is deprecated', FutureWarning)
del warnings
