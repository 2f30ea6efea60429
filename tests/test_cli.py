"""The `ddi` dispatcher: exit codes for a closed pipe, usage errors and internal failures."""

import subprocess
import sys

from pipeline.cli import EXIT_OK


def test_closed_pipe_is_not_an_internal_error():
    """`ddi resolve ... | head -1`: the reader leaves early; exit 0 and no traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "resolve", ", ".join(["warfarin"] * 400)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.readline()
    proc.stdout.close()  # like `head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == EXIT_OK, err
    assert "internal error" not in err and "Traceback" not in err


def test_python_dash_m_usage_errors_exit_2():
    """`python -m pipeline.cli` runs the module as __main__; a usage error raised by a
    command (which imports pipeline.cli) must still be caught as a usage error."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "resolve", "--synonyms", "-1", "warfarin"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "--synonyms must be >= 0" in done.stderr and "internal error" not in done.stderr
