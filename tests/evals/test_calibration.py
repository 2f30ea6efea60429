"""The calibration's choice rule (pipeline.evals._calibration.choose) on made-up cells."""

from pipeline.evals._calibration import choose

RHOS = [0.0, 1.0]
DEFAULT = {"policy": "any yes", "templates": "all four"}


def cell(assumption, policy, templates, rho, recall, spec, calls=8.0):
    return {
        "assumption": assumption,
        "config": f"{policy} / {templates}",
        "policy": policy,
        "templates": templates,
        "rho": rho,
        "recall": {"value": recall},
        "specificity": {"value": spec},
        "calls_per_pair": calls,
    }


def grid(assumption, table):
    """table: config -> ((recall, spec) at rho 0, (recall, spec) at rho 1)."""
    return [
        cell(assumption, *cfg, rho, *vals)
        for cfg, per_rho in table.items()
        for rho, vals in zip(RHOS, per_rho, strict=True)
    ]


def test_most_specific_among_configurations_at_best_recall():
    cells = grid(
        "a",
        {
            ("any yes", "all four"): ((1.0, 0.5), (0.7, 0.6)),
            ("2 yes", "all four"): ((1.0, 0.8), (0.7, 0.6)),
            ("majority", "all four"): ((0.9, 0.95), (0.7, 0.7)),  # loses recall at rho 0
        },
    )
    out = choose(cells, RHOS, DEFAULT)
    assert out["per_assumption"]["a"]["winner"] == "2 yes / all four"
    assert out["per_assumption"]["a"]["eligible"] == ["any yes / all four", "2 yes / all four"]
    assert out["adopted"] == {
        "policy": "2 yes",
        "policy_robust": True,
        "templates": "all four",
        "templates_robust": True,
    }


def test_disagreeing_assumptions_keep_the_default():
    any_yes, two_yes = ("any yes", "all four"), ("2 yes", "all four")
    a = grid("a", {any_yes: ((1, 0.5), (1, 0.5)), two_yes: ((1, 0.6), (1, 0.6))})
    b = grid("b", {any_yes: ((1, 0.5), (1, 0.5)), two_yes: ((0.5, 0.9), (1, 0.9))})
    out = choose(a + b, RHOS, DEFAULT)
    assert out["per_assumption"]["a"]["winner"] == "2 yes / all four"
    assert out["per_assumption"]["b"]["winner"] == "any yes / all four"
    assert out["adopted"]["policy"] == "any yes" and not out["adopted"]["policy_robust"]


def test_fewer_calls_break_a_tie():
    cells = [cell("a", "any yes", "all four", r, 1.0, 0.5, calls=10.0) for r in RHOS] + [
        cell("a", "any yes", "without risks", r, 1.0, 0.5, calls=7.0) for r in RHOS
    ]
    assert choose(cells, RHOS, DEFAULT)["per_assumption"]["a"]["winner"] == (
        "any yes / without risks"
    )
