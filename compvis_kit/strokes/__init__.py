"""Drawings as pen strokes (Quick Draw): formats and readers, rendering, augmentations, the Hershey source, training
data, models. The generic kit imports nothing from here (`compvis_kit.all` re-exports it); the data kind `strokes` is
found through `data.KIND_MODULES` and the Quick Draw workflow through `workflow.WORKFLOWS`.

Modules, in dependency order: `kernels` (numba: parsing and rasterising), `formats` (drawings, ndjson/CSV/binary
files), `rendering` (`render`: encodings, engines; checks), `augment`, `hershey` (Hershey glyphs as a Quick Draw
competition, glyph images), `source` (records read by byte offset, rendered in worker processes: numpy and the
renderer only), `data` (items, holdout, shards, image loaders), `stream` (every drawing, from a compact index),
`sequences` (drawings as point sequences, loaders of images and points), `models` (LSTM, CNN+LSTM, `StrokeData`).

Written by hand, not exported: every public name of those modules is importable from here (`from compvis_kit.strokes
import render`), but a module is imported only when one of its names is first used, so a render worker imports neither
pandas nor torch. 27_all checks this table against the modules' `__all__`."""

from compvis_kit.core import lazy_names     # light: no torch, fastai or pandas

_MODULES = dict(kernels=('nb_parse', 'nb_segment', 'nb_render', 'NB_ENC', 'NB_CH', 'NB_DTYPES', 'need_numba'),
                formats=('as_drawing', 'drawing_to_json', 'StrokeReader', 'read_ndjson', 'read_kaggle_csv',
                         'read_binary', 'read_strokes', 'write_ndjson', 'write_binary', 'simplify_raw'),
                rendering=('cv2', 'SHIFT', 'ENCODINGS', 'check_range', 'render', 'show_drawings', 'check_drawing'),
                augment=('STROKE_AUGS', 'keep_mask', 'drop_strokes', 'keep_first', 'jitter', 'random_affine',
                         'StrokeAug'),
                hershey=('HERSHEY_FONTS', 'DEFAULT_FONTS', 'GLYPH_NAMES', 'GLYPH_CHARS', 'QD_WORDS', 'MIRROR_CHARS',
                         'hershey_glyphs', 'hershey_drawing', 'quickdraw_competition', 'glyph_competition',
                         'quickdraw_cfg'),
                source=('raw_records', 'record_fields', 'not_utf8_reason', 'csv_header', 'scan_csv', 'BadDrawing',
                        'StrokeSource', 'render_shape', 'read_drawing', 'render_rows', 'render_shard', 'StrokeRows'),
                data=('bad_text', 'train_files', 'word_rng', 'sample_per_word', 'file_records', 'stroke_items',
                      'stroke_test_items', 'stroke_split', 'worker_context', 'render_shards', 'ShardArray',
                      'stroke_norm', 'ids_table', 'shard_dls', 'BadLog', 'StrokeArray', 'split_setup', 'stroke_dls',
                      'stroke_test_dl'),
                stream=('StrokeIndex', 'stroke_index', 'stream_holdout', 'epoch_sample', 'check_schedule',
                        'StreamArray', 'StreamLabels', 'StreamDL', 'StreamDDL', 'StreamEpoch', 'index_key_ids',
                        'stream_dls'),
                sequences=('stroke_points', 'StrokeSeqArray', 'StrokeSeqDL', 'seq_dataset', 'fused_dls', 'points_dls',
                           'fused_test_dl'),
                models=('STROKE_MODELS', 'StrokeLSTM', 'FusedStrokeModel', 'fused_splitter', 'stroke_learner',
                        'new_stroke_items', 'is_stroke_folder', 'StrokeData'))
__getattr__, __dir__, __all__ = lazy_names(__name__, _MODULES)
