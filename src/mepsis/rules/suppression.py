"""Small-cell suppression of a published count table, with complementary suppression (domain.md, "Counts and
federal reports": fewer than 10 children, a setting; issue 7, item 6).

A table is rows x columns of counts published with its row totals, column totals and grand total. Seen
whole, it is an (R+1) x (C+1) grid in which every line adds up: each row's cells to its row total, each
column's cells to its column total, the row totals and the column totals each to the grand total. Each entry
is an edge between its row and its column of the grid. The primary entries (0 < count < threshold, cells
and totals alike) are hidden; then each hidden entry, in grid order, must lie on a *safe cycle* of hidden
entries: adding and subtracting 1 in turn around it keeps every line's sum and takes no entry below 1. When
it does not, the cheapest path closing one is hidden: already hidden entries are free; otherwise the fewest
totals, then the smallest sum of counts, then the fewest entries; ties go to the earlier row or column. A
true zero is published (it is not sensitive) and is never hidden, not even as a complement: none is needed,
since a positive entry always lies on the safe cycle (cell, its row total, the grand total, its column
total), all of which go up together. A line with exactly one hidden entry cannot happen.

What this guarantees: for every hidden entry there is another table, its hidden entries all still at least
1, that publishes exactly the same numbers and in which that entry is one more or one less (allowing zeros,
there are two: one more and one less). So someone who knows the published numbers, that the lines add up, that counts are integers and that
hidden entries are not zero (zeros being always published) cannot pin down any hidden cell or total: exact
linear algebra over the sums finds none, and neither does trying every completion.

Its limits: the interval guaranteed is that narrow (a hidden 3 may be known to lie in 2..4 or 3..4); no
wider protection interval is enforced, and bounds from the totals can be tight. It protects one table on
its own: tables that share cells (the same children by district and by region, one year and the next, a
sub-total published elsewhere) are not protected against each other. Someone who knows how complements are
chosen, or that a hidden cell was a primary (so below the threshold), knows more than the published
numbers. The path search is a heuristic: it keeps the loss small, not minimal.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 10

Position = tuple[int, int]  # (row, column) on the grid; row R is the column totals, column C the row totals


@dataclass(frozen=True, slots=True)
class Mask:
    """Which entries of a table (cells, row totals, column totals, grand total) have some property."""

    cells: tuple[tuple[bool, ...], ...]
    row_totals: tuple[bool, ...]
    column_totals: tuple[bool, ...]
    grand_total: bool

    def count(self) -> int:
        return (sum(map(sum, self.cells)) + sum(self.row_totals) + sum(self.column_totals)
                + int(self.grand_total))


@dataclass(frozen=True, slots=True)
class Published:
    """What may be shown: the table with each hidden entry replaced by None."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    grand_total: int | None


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A table, its totals, and which entries are hidden (``primary``: below the threshold; ``hidden``: those
    and their complements). It holds the true values: show only ``published()``."""

    threshold: int
    cells: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    grand_total: int
    primary: Mask
    hidden: Mask

    def published(self) -> Published:
        hide = self.hidden
        return Published(
            cells=tuple(tuple(None if h else v for v, h in zip(row, hrow))
                        for row, hrow in zip(self.cells, hide.cells)),
            row_totals=tuple(None if h else v for v, h in zip(self.row_totals, hide.row_totals)),
            column_totals=tuple(None if h else v for v, h in zip(self.column_totals, hide.column_totals)),
            grand_total=None if hide.grand_total else self.grand_total,
        )


def suppress(cells: Sequence[Sequence[int]], *, threshold: int = DEFAULT_THRESHOLD) -> Suppressed:
    """Suppress a rows x columns table of non-negative counts whose totals are all published."""
    table = _validated(cells, threshold)
    n_rows, n_cols = len(table), len(table[0])
    row_totals = tuple(sum(row) for row in table)
    column_totals = tuple(sum(column) for column in zip(*table))
    grand = sum(row_totals)
    grid = [list(row) + [total] for row, total in zip(table, row_totals)] + [list(column_totals) + [grand]]

    primary = {(i, j) for i in range(n_rows + 1) for j in range(n_cols + 1) if 0 < grid[i][j] < threshold}
    hidden: set[Position] = set()
    around: dict[int, list[tuple[int, Position]]] = {}  # node -> (other node, hidden entry between them)

    def hide(entries: list[Position]) -> None:
        for i, j in entries:
            if (i, j) not in hidden:
                hidden.add((i, j))
                around.setdefault(i, []).append((n_rows + 1 + j, (i, j)))
                around.setdefault(n_rows + 1 + j, []).append((i, (i, j)))

    hide(sorted(primary))
    safe: set[Position] = set()  # hidden entries known to lie on a safe cycle of hidden entries
    while unsafe := sorted(hidden - safe):  # a cycle stays safe as more is hidden: one pass, then a check
        for entry in unsafe:
            if entry not in safe:
                cycle = _cheapest_cycle(grid, hidden, around, entry)
                hide(cycle)
                safe.update(cycle)

    return Suppressed(threshold, table, row_totals, column_totals, grand,
                      _mask(primary, n_rows, n_cols), _mask(hidden, n_rows, n_cols))


def suppress_list(counts: Sequence[int], *, threshold: int = DEFAULT_THRESHOLD) -> Suppressed:
    """A list of counts with its total, as a 1 x n table: read ``published().cells[0]`` and
    ``published().grand_total`` (the column totals repeat the cells and are hidden with them)."""
    return suppress([counts], threshold=threshold)


def _validated(cells: Sequence[Sequence[int]], threshold: int) -> tuple[tuple[int, ...], ...]:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise ValueError(f"threshold must be a non-negative integer, not {threshold!r}")
    table = tuple(tuple(row) for row in cells)
    if not table or not table[0]:
        raise ValueError("a table needs at least one row and one column")
    if any(len(row) != len(table[0]) for row in table):
        raise ValueError("every row of a table must have the same number of cells")
    for row in table:
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"counts must be non-negative integers, not {value!r}")
    return table


def _mask(positions: set[Position], n_rows: int, n_cols: int) -> Mask:
    return Mask(
        cells=tuple(tuple((i, j) in positions for j in range(n_cols)) for i in range(n_rows)),
        row_totals=tuple((i, n_cols) in positions for i in range(n_rows)),
        column_totals=tuple((n_rows, j) in positions for j in range(n_cols)),
        grand_total=(n_rows, n_cols) in positions,
    )


def _cheapest_cycle(grid: list[list[int]], hidden: set[Position], around: dict[int, list[tuple[int, Position]]],
                    edge: Position) -> list[Position]:
    """The entries of the cheapest safe cycle through ``edge`` (see the module's docstring): one of hidden
    entries only if there is one (found breadth-first, cheaply), else the cheaper of the two directions in
    which a cycle may move, ties to the first (the one that raises ``edge`` if a cell)."""
    for direction in (1, -1):
        if (cycle := _hidden_cycle(grid, around, edge, direction)) is not None:
            return cycle
    found = [_cheapest_path(grid, hidden, edge, direction) for direction in (1, -1)]
    return min((path for path in found if path is not None), key=lambda path: path[0])[1]


def _goes_below_1(grid: list[list[int]], step: Position, turn: int, direction: int) -> bool:
    """On the grid every line adds up to its last entry, so with the sign s = +1 for cells and the grand total,
    -1 for the other totals, the numbers s * value have every line summing to zero: around a cycle they take
    +1 and -1 in turn. The cycle's first entry takes +1; a step from a row to a column takes -1, from a
    column to a row +1. An entry's value changes by direction * turn * s: one that goes down must be >= 2."""
    i, j = step
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    s = -1 if (i == last_row) != (j == last_col) else 1
    return direction * turn * s < 0 and grid[i][j] < 2


def _hidden_cycle(grid: list[list[int]], around: dict[int, list[tuple[int, Position]]], edge: Position,
                  direction: int) -> list[Position] | None:
    """A safe cycle through ``edge`` of hidden entries only (``around`` each node), moving in ``direction``."""
    grid_rows = len(grid)
    if _goes_below_1(grid, edge, 1, direction):
        return None
    source, target = edge[0], grid_rows + edge[1]
    came_from: dict[int, tuple[int, Position]] = {source: (source, edge)}
    frontier = [source]
    while frontier and target not in came_from:
        following = []
        for node in frontier:
            turn = -1 if node < grid_rows else 1
            for other, step in around.get(node, ()):
                if other in came_from or step == edge:
                    continue
                if _goes_below_1(grid, step, turn, direction):
                    continue
                came_from[other] = (node, step)
                following.append(other)
        frontier = following
    if target not in came_from:
        return None
    cycle = [edge]
    node = target
    while node != source:
        node, step = came_from[node]
        cycle.append(step)
    return cycle


def _cheapest_path(grid: list[list[int]], hidden: set[Position], edge: Position,
                   direction: int) -> tuple[tuple[int, int, int], list[Position]] | None:
    """Dijkstra from ``edge``'s row to its column without ``edge``, over positive entries only, such that
    moving the cycle (path + edge) by 1 in ``direction`` takes no entry below 1; with its cost (totals newly
    hidden, sum of their counts, their number) and every entry of the cycle."""
    grid_rows, grid_cols = len(grid), len(grid[0])
    last_row, last_col = grid_rows - 1, grid_cols - 1
    if _goes_below_1(grid, edge, 1, direction):
        return None
    source, target = edge[0], grid_rows + edge[1]
    free = (0, 0, 0)
    best: dict[int, tuple[int, int, int]] = {source: free}
    came_from: dict[int, tuple[int, Position]] = {}
    heap = [(free, source)]
    settled: set[int] = set()
    while heap:
        cost, node = heapq.heappop(heap)
        if node in settled:
            continue
        settled.add(node)
        if node == target:
            break
        if node < grid_rows:
            steps, turn = ((grid_rows + j, (node, j)) for j in range(grid_cols)), -1
        else:
            steps, turn = ((i, (i, node - grid_rows)) for i in range(grid_rows)), 1
        for other, step in steps:
            if step == edge or other in settled:
                continue
            value = grid[step[0]][step[1]]
            if value == 0:
                continue  # zeros are published, never complements
            if _goes_below_1(grid, step, turn, direction):
                continue
            weight = free if step in hidden else (int(step[0] == last_row or step[1] == last_col), value, 1)
            new = (cost[0] + weight[0], cost[1] + weight[1], cost[2] + weight[2])
            if other not in best or new < best[other]:
                best[other] = new
                came_from[other] = (node, step)
                heapq.heappush(heap, (new, other))
    if target not in settled:
        return None
    cycle = [edge]
    node = target
    while node != source:
        node, step = came_from[node]
        cycle.append(step)
    return best[target], cycle
