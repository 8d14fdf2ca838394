"""Sweeps on Optuna: a grid (or a search) of `train` configurations run by local worker processes, kept in an embedded
journal file or in PostgreSQL, studied as a DataFrame.

Modules: `spec` (the YAML, the grid, the train function), `storage` (journal file or PostgreSQL, `Sweep`), `report`
(`runs_df`, plots), `analysis` (parameter importance, the HTML report page), `workers` (leases, claiming, running
trials, worker processes), `cli` (`cvk-sweep`, `train_config`).

Written by hand, not exported: every public name of those modules is importable from here (`from compvis_kit.sweep
import Sweep`), but a module is imported only when one of its names is first used, so `cvk-sweep --help` imports
neither Optuna nor pandas. `Sweep` comes with the methods `workers` adds (`run`, `work`, `progress`...)."""

from compvis_kit.core import lazy_names     # light: no torch, fastai or pandas

_MODULES = dict(spec=('SWEEP_KEYS', 'PARAM_KEYS', 'METHODS', 'DISTRIBUTIONS', 'sweep_spec', 'load_sweep_yaml',
                      'grid_points', 'function_name', 'load_function', 'check_arguments', 'toy_train', 'numbers_in',
                      'trial_outcome'),
                storage=('FlockLock', 'mask_password', 'sweep_storage', 'default_storage', 'Sweep'),
                report=('runs_df', 'best_per', 'axis_positions', 'parallel_plot', 'plot_metric_vs', 'sweep_table'),
                analysis=('param_importance', 'runs_study', 'plot_importance', 'sweep_report'),
                workers=('Lease', 'progress_line'),
                cli=('train_config', 'cvk_sweep'))
__getattr__, __dir__, __all__ = lazy_names(__name__, _MODULES, also=dict(storage=('workers',)))
