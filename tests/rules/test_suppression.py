"""Small-cell suppression (issue 7, item 6): hand-built tables, and two attackers that try to recover a hidden
entry from what is published: exact linear algebra over the table's sums, and, for small tables, every
non-negative integer completion of the published table."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mepsis.rules.suppression import Published, Suppressed, suppress, suppress_list


# -- the attackers ------------------------------------------------------------------------------------------

def entries(shape):
    """Every entry of a table, named: ("cell", i, j), ("row", i), ("column", j), ("grand",)."""
    n_rows, n_cols = shape
    return ([("cell", i, j) for i in range(n_rows) for j in range(n_cols)] + [("row", i) for i in range(n_rows)]
            + [("column", j) for j in range(n_cols)] + [("grand",)])


def value_of(table, entry):
    """An entry of a Suppressed, Published or Mask, by name."""
    kind = entry[0]
    if kind == "cell":
        return table.cells[entry[1]][entry[2]]
    if kind == "row":
        return table.row_totals[entry[1]]
    if kind == "column":
        return table.column_totals[entry[1]]
    return table.grand_total


def linear_recovery(published: Published) -> dict:
    """The hidden entries that the published numbers determine, with their values: the unknowns are the hidden
    entries, the equations say that each row adds up to its total, each column to its total, and the row totals
    and the column totals each to the grand total. Gauss-Jordan over the rationals; an unknown is determined
    when a row of the reduced matrix has it alone."""
    shape = (len(published.cells), len(published.cells[0]))
    n_rows, n_cols = shape
    unknowns = [e for e in entries(shape) if value_of(published, e) is None]
    index = {e: k for k, e in enumerate(unknowns)}
    lines = ([[("cell", i, j) for j in range(n_cols)] + [("row", i)] for i in range(n_rows)]
             + [[("cell", i, j) for i in range(n_rows)] + [("column", j)] for j in range(n_cols)]
             + [[("row", i) for i in range(n_rows)] + [("grand",)]]
             + [[("column", j) for j in range(n_cols)] + [("grand",)]])
    matrix = []
    for line in lines:  # sum(parts) - total = 0, the total being the line's last entry
        equation = [Fraction(0)] * (len(unknowns) + 1)
        for position, entry in enumerate(line):
            sign = -1 if position == len(line) - 1 else 1
            value = value_of(published, entry)
            if value is None:
                equation[index[entry]] += sign
            else:
                equation[-1] -= sign * value
        matrix.append(equation)

    pivot_row = 0
    pivots = []
    for column in range(len(unknowns)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column] != 0), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][column]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [x - factor * y for x, y in zip(matrix[r], matrix[pivot_row])]
        pivots.append((pivot_row, column))
        pivot_row += 1

    recovered = {}
    for r, column in pivots:
        if all(matrix[r][k] == 0 for k in range(len(unknowns)) if k != column):
            recovered[unknowns[column]] = matrix[r][-1]
    return recovered


def completions_values(published: Published, truth: Suppressed, *, floor: int = 0, stop_early: bool = True) -> dict:
    """For each hidden entry, the values it takes over the non-negative integer tables that publish exactly as
    ``published`` does, each hidden entry at least ``floor`` (1: the attacker knows zeros are always published);
    cells are tried row-major, hidden totals are the sums they make. When the grand total is hidden
    the set is infinite: the search keeps to completions whose grand total is at most one more than the true
    one, a set that holds the true table, so it can only under-state what the published numbers allow. With
    ``stop_early`` it stops once every hidden entry has shown two values (enough for a verdict)."""
    n_rows, n_cols = len(published.cells), len(published.cells[0])
    hidden_cells = [(i, j) for i in range(n_rows) for j in range(n_cols) if published.cells[i][j] is None]
    hidden = [e for e in entries((n_rows, n_cols)) if value_of(published, e) is None]
    seen = {e: set() for e in hidden}
    if not hidden:
        return seen
    known = [[v or 0 for v in row] for row in published.cells]
    row_target = [None if t is None else t - sum(known[i]) for i, t in enumerate(published.row_totals)]
    col_target = [None if t is None else t - sum(known[i][j] for i in range(n_rows))
                  for j, t in enumerate(published.column_totals)]
    grand_room = (published.grand_total if published.grand_total is not None else truth.grand_total + 1)
    grand_room -= sum(map(sum, known))
    grand_exact = published.grand_total is not None
    last_in_row = {i: max((c for c in hidden_cells if c[0] == i), default=None) for i in range(n_rows)}
    last_in_col = {j: max((c for c in hidden_cells if c[1] == j), default=None) for j in range(n_cols)}

    row_sum = [0] * n_rows
    col_sum = [0] * n_cols
    table = [row[:] for row in known]

    def record():
        rows = [sum(r) for r in table]
        cols = [sum(c) for c in zip(*table)]
        grand = sum(rows)
        if any(t is not None and t != rows[i] for i, t in enumerate(published.row_totals)):
            return
        if any(t is not None and t != cols[j] for j, t in enumerate(published.column_totals)):
            return
        if published.grand_total is not None and grand != published.grand_total:
            return
        if any(value_of(Published(table, rows, cols, grand), e) < floor for e in hidden):
            return
        for e in hidden:
            kind = e[0]
            seen[e].add(table[e[1]][e[2]] if kind == "cell" else rows[e[1]] if kind == "row"
                        else cols[e[1]] if kind == "column" else grand)

    def done():
        return stop_early and all(len(values) >= 2 for values in seen.values())

    def place(k, room):
        if done():
            return
        if k == len(hidden_cells):
            if not grand_exact or room == 0:
                record()
            return
        i, j = hidden_cells[k]
        high = room
        if row_target[i] is not None:
            high = min(high, row_target[i] - row_sum[i])
        if col_target[j] is not None:
            high = min(high, col_target[j] - col_sum[j])
        if high < 0:
            return
        forced = set()  # the last hidden cell of a line with a published total is what the line lacks
        if row_target[i] is not None and last_in_row[i] == (i, j):
            forced.add(row_target[i] - row_sum[i])
        if col_target[j] is not None and last_in_col[j] == (i, j):
            forced.add(col_target[j] - col_sum[j])
        if forced:
            candidates = [v for v in forced if len(forced) == 1 and 0 <= v <= high]
        else:
            candidates = range(floor, high + 1)
        for v in candidates:
            table[i][j] = v
            row_sum[i] += v
            col_sum[j] += v
            place(k + 1, room - v)
            row_sum[i] -= v
            col_sum[j] -= v
        table[i][j] = 0

    place(0, grand_room)
    return seen


def naive(cells, threshold):
    """Primary suppression alone, the way a careless report would do it: the attackers' target practice."""
    result = suppress(cells, threshold=threshold)
    p = result.primary
    return Published(
        cells=tuple(tuple(None if h else v for v, h in zip(row, hrow)) for row, hrow in zip(result.cells, p.cells)),
        row_totals=tuple(None if h else v for v, h in zip(result.row_totals, p.row_totals)),
        column_totals=tuple(None if h else v for v, h in zip(result.column_totals, p.column_totals)),
        grand_total=None if p.grand_total else result.grand_total,
    ), result


def hidden_entries(result: Suppressed):
    return [e for e in entries((len(result.cells), len(result.cells[0]))) if value_of(result.hidden, e)]


# -- the attackers work -------------------------------------------------------------------------------------

def test_the_linear_attacker_recovers_a_lone_small_cell_from_its_row_total():
    published, truth = naive([[3, 20], [20, 20]], 10)

    assert linear_recovery(published) == {("cell", 0, 0): 3}


def test_the_linear_attacker_recovers_a_small_row_total_from_the_grand_total():
    published, truth = naive([[3, 4], [20, 30]], 10)  # the cells 3 and 4 and their row total 7 hidden

    recovered = linear_recovery(published)

    assert recovered[("row", 0)] == 7
    assert recovered[("cell", 0, 0)] == 3 and recovered[("cell", 0, 1)] == 4


def test_the_linear_attacker_leaves_a_hidden_rectangle_alone():
    published = Published(((None, None, 5), (None, None, 5), (5, 5, 5)), (None, None, 15), (None, None, 15), 45)

    assert linear_recovery(published) == {}


def test_the_brute_force_attacker_pins_a_cell_the_linear_attacker_cannot():
    # A hidden rectangle with a zero on each diagonal: moving one way or the other around it makes one of
    # the zeros negative, so non-negativity fixes what linear algebra leaves free.
    truth = suppress([[3, 0], [5, 0]], threshold=1)
    published = Published(((None, None), (None, None)), (3, 5), (8, 0), 8)

    assert linear_recovery(published) == {}
    values = completions_values(published, truth, stop_early=False)
    assert values == {("cell", 0, 0): {3}, ("cell", 0, 1): {0}, ("cell", 1, 0): {5}, ("cell", 1, 1): {0}}


def test_the_brute_force_attacker_sees_every_completion_of_a_hidden_rectangle_with_a_zero():
    truth = suppress([[3, 0], [0, 20]], threshold=1)
    published = Published(((None, None), (None, None)), (3, 20), (3, 20), 23)

    values = completions_values(published, truth, stop_early=False)

    assert values[("cell", 0, 0)] == {0, 1, 2, 3} and values[("cell", 1, 1)] == {17, 18, 19, 20}


def test_the_brute_force_attacker_sees_two_values_in_a_hidden_rectangle():
    truth = suppress([[3, 4], [5, 6]], threshold=1)
    published = Published(((None, None), (None, None)), (7, 11), (8, 10), 18)

    values = completions_values(published, truth, stop_early=False)

    assert values[("cell", 0, 0)] == {0, 1, 2, 3, 4, 5, 6, 7}


def test_the_brute_force_attacker_who_knows_zeros_are_published_pins_two_hidden_ones_that_sum_to_2():
    truth = suppress_list([1, 9, 1], threshold=9)
    published = Published(((None, 9, None),), (11,), (None, 9, None), 11)

    assert completions_values(published, truth, stop_early=False)[("cell", 0, 0)] == {0, 1, 2}
    assert completions_values(published, truth, floor=1, stop_early=False)[("cell", 0, 0)] == {1}


# -- hand-built tables --------------------------------------------------------------------------------------

def test_a_single_small_cell_is_hidden_with_the_cheapest_complements_in_its_row_and_its_column():
    result = suppress([[20, 20, 20], [20, 3, 12], [20, 13, 11]])

    assert result.published() == Published(
        cells=((20, 20, 20), (20, None, None), (20, None, None)),
        row_totals=(60, 35, 44), column_totals=(60, 36, 43), grand_total=139)
    assert result.primary.count() == 1


def test_a_row_of_one_small_cell_and_zeros_hides_the_cell_and_its_totals_and_publishes_the_zeros():
    result = suppress_list([4, 0, 0])

    published = result.published()
    assert published.cells == ((None, 0, 0),)
    assert published.grand_total is None and published.row_totals == (None,)
    assert published.column_totals == (None, 0, 0)


def test_a_list_with_one_small_count_hides_a_second_count_but_keeps_the_total():
    published = suppress_list([25, 4, 0, 30, 12]).published()

    assert published.cells == ((25, None, 0, 30, None),)
    assert published.grand_total == 71


def test_two_hidden_ones_are_not_left_alone_with_their_sum():
    published = suppress_list([1, 9, 1], threshold=9).published()

    assert published.cells == ((None, None, None),) and published.grand_total == 11


def test_a_small_row_total_hides_another_row_total_so_the_grand_total_does_not_give_it_away():
    result = suppress([[4, 0, 0], [20, 30, 40]])

    published = result.published()
    assert published.row_totals == (None, None)
    assert published.cells == ((None, 0, 0), (None, 30, 40))
    assert published.column_totals == (24, 30, 40) and published.grand_total == 94
    assert linear_recovery(published) == {}


def test_a_table_with_nothing_small_publishes_everything():
    result = suppress([[10, 0, 25], [11, 40, 0]])

    assert result.hidden.count() == 0
    assert result.published() == Published(((10, 0, 25), (11, 40, 0)), (35, 51), (21, 40, 25), 86)


def test_a_table_of_zeros_publishes_its_zeros():
    assert suppress([[0, 0], [0, 0]]).hidden.count() == 0


@pytest.mark.parametrize("threshold, hidden", [(5, 0), (7, 0), (8, 4), (10, 4), (11, 4)])
def test_the_threshold_is_honoured(threshold, hidden):
    result = suppress([[7, 20], [20, 20]], threshold=threshold)

    assert result.hidden.count() == hidden
    assert result.hidden.cells[0][0] == (hidden > 0)


def test_a_count_equal_to_the_threshold_is_published():
    assert suppress([[5, 20], [20, 20]], threshold=5).hidden.count() == 0


def test_the_output_is_the_same_every_time_and_ties_go_to_the_earlier_row_and_column():
    table = [[20, 20, 20], [20, 3, 20], [20, 20, 20]]

    results = {suppress(table) for _ in range(5)}

    assert len(results) == 1
    assert results.pop().published().cells == ((None, None, 20), (None, None, 20), (20, 20, 20))


def test_the_input_is_not_changed():
    table = [[3, 20], [20, 20]]

    suppress(table)

    assert table == [[3, 20], [20, 20]]


@pytest.mark.parametrize("bad", [[], [[]], [[1, 2], [3]], [[-1]], [[1.5]], [[True]]])
def test_a_table_that_is_not_a_table_of_counts_is_refused(bad):
    with pytest.raises(ValueError):
        suppress(bad)


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError):
        suppress([[1]], threshold=-1)


# -- properties ---------------------------------------------------------------------------------------------

small_biased = st.one_of(st.integers(0, 3), st.integers(0, 12), st.integers(0, 40))


def tables(max_side, counts):
    return st.integers(1, max_side).flatmap(lambda r: st.integers(1, max_side).flatmap(
        lambda c: st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r)))


thresholds = st.integers(3, 10)


def check_primaries_hidden_and_rest_published(result: Suppressed):
    for e in entries((len(result.cells), len(result.cells[0]))):
        value = value_of(result, e)
        assert value_of(result.primary, e) == (0 < value < result.threshold), e
        if value_of(result.primary, e):
            assert value_of(result.hidden, e), e
        if value == 0:
            assert not value_of(result.hidden, e), e
        shown = value_of(result.published(), e)
        assert shown == (None if value_of(result.hidden, e) else value), e


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(5, small_biased), thresholds)
def test_no_hidden_entry_of_a_table_up_to_5x5_is_recovered_by_linear_algebra(cells, threshold):
    result = suppress(cells, threshold=threshold)

    check_primaries_hidden_and_rest_published(result)
    assert linear_recovery(result.published()) == {}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(3, st.one_of(st.integers(0, 3), st.integers(0, 12))), thresholds)
def test_every_hidden_entry_of_a_table_up_to_3x3_takes_two_values_over_all_completions(cells, threshold):
    result = suppress(cells, threshold=threshold)

    check_primaries_hidden_and_rest_published(result)
    for floor in (0, 1):  # 1: the attacker knows that zeros are always published
        values = completions_values(result.published(), result, floor=floor)
        assert set(values) == set(hidden_entries(result))
        for entry, taken in values.items():
            assert len(taken) >= 2, (floor, entry, taken)


@settings(max_examples=100, deadline=None)
@given(thresholds.flatmap(lambda t: st.tuples(
    tables(5, st.one_of(st.just(0), st.integers(t, 40))), st.just(t))))
def test_a_table_with_no_small_cell_or_total_hides_nothing(table_and_threshold):
    cells, threshold = table_and_threshold

    assert suppress(cells, threshold=threshold).hidden.count() == 0


@settings(max_examples=100, deadline=None)
@given(tables(5, small_biased), thresholds)
def test_no_line_of_the_table_has_exactly_one_hidden_entry(cells, threshold):
    result = suppress(cells, threshold=threshold)
    n_rows, n_cols = len(cells), len(cells[0])
    lines = ([[("cell", i, j) for j in range(n_cols)] + [("row", i)] for i in range(n_rows)]
             + [[("cell", i, j) for i in range(n_rows)] + [("column", j)] for j in range(n_cols)]
             + [[("row", i) for i in range(n_rows)] + [("grand",)]]
             + [[("column", j) for j in range(n_cols)] + [("grand",)]])

    for line in lines:
        assert sum(bool(value_of(result.hidden, e)) for e in line) != 1, line
