"""7. Quality against speed: MLQE-PE TER improvement over doing nothing against MB/s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchtools import FTFY, MODEL, MOSES, NOTHING, RULES

PLOT = "results/quality_vs_speed.png"  # relative to RESULTS.md


def plotted_tools(results: dict[str, Any]) -> list[str]:
    """The tools the plot shows: those that ran in both the speed section and tokenised MLQE-PE.

    (Both, not only present: after ``--only`` the two may come from runs with and without the model.)
    """
    speed = results["speed"]["tools"]
    tokenised = results["mlqe"]["conditions"]["tokenised"]
    return [n for n in (FTFY, MOSES, RULES, MODEL) if all(s.get(n, {}).get("available") for s in (speed, tokenised))]


def plot(results: dict[str, Any], path: Path) -> bool:
    """Draw the plot to ``path`` (log MB/s). False, and no file, when there is nothing to plot."""
    names = plotted_tools(results)
    if not names:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    speed = results["speed"]["tools"]
    conditions = results["mlqe"]["conditions"]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for condition, marker in (("tokenised", "o"), ("detokenised", "s")):
        rows = conditions[condition]
        base = rows[NOTHING]["ter"]
        xs = [speed[n]["mb_per_s"] for n in names]
        ys = [base - rows[n]["ter"] for n in names]
        ax.scatter(xs, ys, marker=marker, label=f"{condition} MT input", zorder=3)
        if condition == "tokenised":  # one label per tool: the detokenised point sits below it
            for x, y, n in zip(xs, ys, names, strict=True):
                ax.annotate(n, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.axhline(0, color="grey", linewidth=0.8, label="do-nothing")
    ax.set_xscale("log")
    ax.set_xlabel("throughput, MB/s (log scale; WMT21 system outputs, one core)")
    ax.set_ylabel("TER improvement over do-nothing")
    ax.set_title("MLQE-PE dev (5 pairs): quality vs speed", fontsize=10)
    ax.grid(True, which="both", linewidth=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return True
