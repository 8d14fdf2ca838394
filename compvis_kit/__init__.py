"""Competition-grade image recognition on fastai and timm: shared splits, TTA, fitted ensembles, submissions."""

__version__ = "0.0.1"

import warnings
# fastai 2.8 calls `torch.jit.script` at import, which torch 2.9+ deprecates: a FutureWarning on every command's stderr
# and in every notebook, about fastai's code, not the user's. Filtered here, once, for that message alone.
warnings.filterwarnings('ignore', r'`torch\.jit\.script` is deprecated', FutureWarning)
del warnings
