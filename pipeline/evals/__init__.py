"""Regression evals: suites, recall-first metrics, baselines, reports and the cascade study.

Entry points: `ddi eval` (pipeline.evals.cli), `run_suite` / `arun_suite`
(pipeline.evals.run) and `run_study` (pipeline.evals.study). Metrics are plain functions
in pipeline.evals.metrics. See EVALS.md.
"""

from __future__ import annotations

__all__ = ["SUITES", "arun_suite", "load_samples", "run_suite"]

from pipeline.evals.run import arun_suite, run_suite
from pipeline.evals.suites import SUITES, load_samples
