"""Regression evals: suites, recall-first metrics, baselines, reports and the cascade study.

Entry points: `ddi eval` (pipeline.evals._cli), `run_suite` / `arun_suite`
(pipeline.evals._run) and `run_study` (pipeline.evals._study). Metrics are plain functions
in pipeline.evals._metrics. See EVALS.md.
"""

from __future__ import annotations

__all__ = ["SUITES", "arun_suite", "load_samples", "run_suite"]

from pipeline.evals._run import arun_suite, run_suite
from pipeline.evals._suites import SUITES, load_samples
