"""Small-cell suppression of a published count table, with complementary suppression (domain.md, "Counts and
federal reports": fewer than 10 children, a setting; issue 7, item 6).

A table is rows x columns of counts published with its row totals, column totals and grand total. Seen
whole, it is an (R+1) x (C+1) grid in which every line adds up: each row's cells to its row total, each
column's cells to its column total, the row totals and the column totals each to the grand total. Each
hidden entry is an edge between its row and its column of that grid, and a hidden value can be worked out
from the published ones exactly when its edge lies on no cycle of hidden edges (a bridge); a line with one
hidden entry is the simplest such case. So this module hides the primary entries (0 < count < threshold,
cells and totals alike), then, until no hidden edge is a bridge, closes a cycle through the first one left
(grid order) along the cheapest path: already hidden entries are free; otherwise a path hides as few totals
as it can, then the smallest sum of counts, then the fewest entries; ties go to the earlier row or column.
A published zero is not sensitive and is published: zeros are never hidden, not even as complements, and
need not be, since every positive entry lies on the all-positive cycle (cell, its row total, the grand
total, its column total).

What this guarantees: every hidden entry lies on a cycle of hidden, positive entries, so adding 1 and
subtracting 1 alternately around that cycle (both ways) gives two other non-negative tables with exactly the
same published numbers. Anyone who knows the published numbers, that the lines add up and that counts are
non-negative integers can therefore pin no hidden entry down: each could be its value, one less or one more
(and, since the all-positive cycle through a cell moves it with its totals, one more stays possible even
for someone who knows that hidden entries are not zero).

Its limits: the guaranteed interval is only that wide (a hidden 3 may be known to lie in 2..4); no wider
protection interval is enforced, so bounds from the totals can be tight. The guarantee holds for one table
on its own: tables that share cells (the same children by district and by region, one year and the next,
a table and a sub-total published elsewhere) are not protected against each other, and someone who knows
how this module chooses complements, or that a hidden cell was a primary (so below the threshold), knows
more than the published numbers. The path search is a heuristic: it keeps the loss small, not minimal.
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
    hidden = set(primary)
    while bridges := _bridges(n_rows + 1, n_cols + 1, hidden):
        path = _cheapest_cycle(grid, hidden, min(bridges))
        hidden.update(path)

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


def _bridges(grid_rows: int, grid_cols: int, hidden: set[Position]) -> set[Position]:
    """The hidden entries on no cycle of hidden entries (Tarjan's bridges, iterative). Nodes: the grid's
    rows 0..grid_rows-1, then its columns."""
    adjacent: list[list[tuple[int, Position]]] = [[] for _ in range(grid_rows + grid_cols)]
    for i, j in sorted(hidden):
        adjacent[i].append((grid_rows + j, (i, j)))
        adjacent[grid_rows + j].append((i, (i, j)))
    discovered = [-1] * len(adjacent)
    low = [0] * len(adjacent)
    clock = 0
    bridges: set[Position] = set()
    for start in range(len(adjacent)):
        if discovered[start] != -1 or not adjacent[start]:
            continue
        discovered[start] = low[start] = clock
        clock += 1
        stack = [(start, None, iter(adjacent[start]))]
        while stack:
            node, via, edges = stack[-1]
            for other, edge in edges:
                if edge == via:
                    continue
                if discovered[other] == -1:
                    discovered[other] = low[other] = clock
                    clock += 1
                    stack.append((other, edge, iter(adjacent[other])))
                    break
                low[node] = min(low[node], discovered[other])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > discovered[parent]:
                        bridges.add(via)
    return bridges


def _cheapest_cycle(grid: list[list[int]], hidden: set[Position], edge: Position) -> list[Position]:
    """The entries to hide so that ``edge`` lies on a cycle of hidden, positive entries: the cheapest path
    (Dijkstra) from its row to its column that does not use it."""
    grid_rows, grid_cols = len(grid), len(grid[0])
    last_row, last_col = grid_rows - 1, grid_cols - 1
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
            steps = ((grid_rows + j, (node, j)) for j in range(grid_cols))
        else:
            steps = ((i, (i, node - grid_rows)) for i in range(grid_rows))
        for other, step in steps:
            if step == edge or other in settled:
                continue
            value = grid[step[0]][step[1]]
            if step in hidden:
                weight = free
            elif value == 0:
                continue  # zeros are published, never complements
            else:
                weight = (int(step[0] == last_row or step[1] == last_col), value, 1)
            new = (cost[0] + weight[0], cost[1] + weight[1], cost[2] + weight[2])
            if other not in best or new < best[other]:
                best[other] = new
                came_from[other] = (node, step)
                heapq.heappush(heap, (new, other))
    if target not in settled:  # cannot happen: a positive entry always has the all-positive cycle
        raise AssertionError(f"no cycle of positive entries through {edge}")
    path = []
    node = target
    while node != source:
        node, step = came_from[node]
        path.append(step)
    return [step for step in path if step not in hidden]
