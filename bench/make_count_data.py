"""Data for the child-count benchmark (issue 7, "Speed"), written straight into a migrated PostgreSQL
database by set-based INSERT ... SELECT over generate_series (seeded, so every run writes the same rows):

- 12 regions, 400 districts, 1,000 schools;
- 100,000 children born 2002-2024, 250,000 COEs (one family each) with their CoeChild rows: 2.5 a child,
  QADs spread over the five performance periods 2020-21 to 2024-25, 92% approved, 3% void, 5% submitted;
  eligibility to the 36 months or the day before the 22nd birthday, a residency date 0-9 days after the QAD;
- 200,000 enrollments (two school years a child, a grade by age), 5% ending in a move out of the state,
  English learner and IEP flags;
- 800 projects (half summer), 2,000,000 services (20 a child, every 90 days, seven service types, 5% under
  continuation), 50,000 PFS determinations.

    python bench/make_count_data.py postgresql://postgres@127.0.0.1:5432/mepsis_count_bench
"""

from __future__ import annotations

import sys
import time

import psycopg

CHILDREN, COES, SERVICES_A_CHILD = 100_000, 250_000, 20

STATEMENTS = [
    "SELECT setseed(0.7)",
    "INSERT INTO orgs_region (id, name) SELECT n, 'Region ' || n FROM generate_series(1, 12) n",
    """INSERT INTO orgs_district (id, district_id, name, nces_id, region_id)
       SELECT n, 'D' || lpad(n::text, 4, '0'), 'District ' || n, '', 1 + n % 12 FROM generate_series(1, 400) n""",
    """INSERT INTO orgs_school (id, school_id, name, nces_id, grades, district_id)
       SELECT n, 'D' || lpad((1 + n % 400)::text, 4, '0') || '-' || n, 'School ' || n, '', '', 1 + n % 400
       FROM generate_series(1, 1000) n""",
    f"""INSERT INTO registry_child (id, child_id, first_name, middle_name, last_name_1, last_name_2, suffix, sex,
                                    birth_date, state_student_id)
       SELECT n, 'C' || lpad(n::text, 7, '0'), 'First' || n, '', 'Last' || (n % 5000), '', '',
              CASE WHEN n % 2 = 0 THEN 'F' ELSE 'M' END, DATE '2002-06-01' + (random() * 8000)::int,
              CASE WHEN n % 10 = 0 THEN NULL ELSE 'S' || n END
       FROM generate_series(1, {CHILDREN}) n""",
    f"""INSERT INTO registry_family (id, parent1_name, parent2_name, address, phone, home_language)
       SELECT n, 'Parent ' || n, '', '', '', 'es' FROM generate_series(1, {COES}) n""",
    # COE n lists child 1 + n % CHILDREN; its QAD moves on about 600 days with each COE of the child.
    f"""INSERT INTO registry_coe (id, coe_id, status, version, content_hash, interview_date, qad, to_district_id,
                                  return_reasons, void_reason, created_at, updated_at, family_id)
       SELECT n, 'WI-B-' || lpad(n::text, 7, '0'), s.status, 1, '', q.qad + 14, q.qad,
              'D' || lpad((1 + (1 + n % {CHILDREN}) % 400)::text, 4, '0'), '[]',
              CASE WHEN s.status = 'void' THEN 'FOUND_INELIGIBLE' ELSE '' END, now(), now(), n
       FROM generate_series(1, {COES}) n,
            LATERAL (SELECT DATE '2020-07-01' + (n / {CHILDREN}) * 600 + (random() * 560)::int AS qad) q,
            LATERAL (SELECT CASE WHEN r < 0.92 THEN 'approved' WHEN r < 0.95 THEN 'void' ELSE 'submitted' END
                     AS status FROM (SELECT random() + n * 0 AS r) x) s""",
    f"""INSERT INTO registry_coechild (id, index, residency_date, eligibility_start, last_eligible_day, end_reason,
                                       child_id, coe_id)
       SELECT c.id, 0, c.qad + (random() * 9)::int, c.qad,
              LEAST(CAST(c.qad + INTERVAL '36 months' AS date) - 1,
                    CAST(ch.birth_date + INTERVAL '22 years' AS date) - 1),
              '', ch.id, c.id
       FROM registry_coe c JOIN registry_child ch ON ch.id = 1 + c.id % {CHILDREN}""",
    "UPDATE registry_coechild SET eligibility_start = NULL, last_eligible_day = NULL "
    "WHERE last_eligible_day < eligibility_start",
    "INSERT INTO enrollments_ingestrun (id, started_at, source, file_name, actor, summary) "
    "VALUES (1, now(), 'bench', 'bench.csv', 'bench', '{}')",
    f"""INSERT INTO enrollments_enrollment (id, local_student_id, school_year, entry_date, state_student_id, first_name,
           middle_name, last_name, last_name_2, sex, birth_date, grade, exit_date, exit_reason, guardian1_name,
           guardian2_name, birth_country, birth_state, birth_city, english_learner, iep, free_reduced_lunch,
           identity_key, row_hash, match_method, child_id, district_id, school_id, changed_run_id, first_run_id,
           matched_run_id)
       SELECT (y - 2023) * {CHILDREN} + ch.id, 'L' || ch.id, y || '-' || ((y + 1) % 100), make_date(y, 8, 25),
              COALESCE(ch.state_student_id, ''), ch.first_name, '', ch.last_name_1, '', ch.sex, ch.birth_date,
              CASE WHEN g.age < 5 THEN 'PK' WHEN g.age = 5 THEN 'KG'
                   WHEN g.age <= 17 THEN lpad((g.age - 5)::text, 2, '0')
                   ELSE 'UG' END,
              CASE WHEN random() < 0.05 THEN make_date(y + 1, 1, 15) END, '', '', '', '', '', '',
              CASE WHEN random() < 0.3 THEN 'Y' ELSE 'N' END, CASE WHEN random() < 0.1 THEN 'Y' ELSE 'N' END, 'Y',
              '', 0, 'state_student_id', ch.id, 1 + ch.id % 400, 1 + ch.id % 1000, 1, 1, 1
       FROM registry_child ch CROSS JOIN generate_series(2023, 2024) y,
            LATERAL (SELECT y - EXTRACT(YEAR FROM ch.birth_date)::int AS age) g""",
    "UPDATE enrollments_enrollment SET exit_reason = 'MOVED_OUT_OF_STATE' WHERE exit_date IS NOT NULL",
    """INSERT INTO delivery_project (id, project_id, name, session_type, district_id, region_id)
       SELECT n, 'P' || n, 'Project ' || n, CASE WHEN n % 2 = 0 THEN 'summer' ELSE 'regular' END, 1 + n % 400, NULL
       FROM generate_series(1, 800) n""",
    # Service k of a child begins 90 k days after 2020-09-01 (so the unique key never repeats); summer ones
    # are moved into July.
    f"""INSERT INTO delivery_service (id, service, begin_date, end_date, hours, basis, recorded_at, recorded_by,
                                      child_id, coe_id, continuation_id, project_id)
       SELECT k * {CHILDREN} + ch, (ARRAY['READINSTR','MATHINSTR','HSACCRUAL','INSTRSERV','COUNSELSERV','SUPPSERV',
                                          'REFSERV'])[1 + (ch + k) % 7],
              b.begin, b.begin + (random() * 30)::int, 10,
              CASE WHEN random() < 0.05 THEN 'continuation' ELSE 'eligible' END,
              now(), 'bench', ch, NULL, NULL, p.project
       FROM generate_series(1, {CHILDREN}) ch CROSS JOIN generate_series(0, {SERVICES_A_CHILD - 1}) k,
            LATERAL (SELECT 1 + (ch * 7 + k * 13) % 800 AS project) p,
            LATERAL (SELECT CASE WHEN p.project % 2 = 0
                                 THEN make_date(2021 + k / 4, 7, 1 + (ch + k) % 20)
                                 ELSE DATE '2020-09-01' + k * 90 + ch % 40 END AS begin) b""",
    "INSERT INTO delivery_pfsruleset (id, version, criteria, created_by, created_at, why, active) "
    "VALUES (1, 1, '{}', 'bench', now(), '', true)",
    """INSERT INTO delivery_pfsdetermination (id, determination_date, pfs, inputs, determined_at, determined_by,
                                               child_id, rule_set_id)
       SELECT n, DATE '2021-09-01' + (random() * 1400)::int, random() < 0.6, '{}', now(), 'bench', n * 2 - 1, 1
       FROM generate_series(1, 50000) n""",
]
SEQUENCES = ["orgs_region", "orgs_district", "orgs_school", "registry_child", "registry_family", "registry_coe",
             "registry_coechild", "enrollments_ingestrun", "enrollments_enrollment", "delivery_project",
             "delivery_service", "delivery_pfsruleset", "delivery_pfsdetermination"]


def generate(url: str) -> None:
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        with connection.transaction():
            for statement in STATEMENTS:
                step = time.perf_counter()
                connection.execute(statement)
                print(f"{time.perf_counter() - step:6.1f} s  {' '.join(statement.split())[:70]}", flush=True)
            for table in SEQUENCES:
                connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT MAX(id) FROM {table}))")
        connection.execute("VACUUM ANALYZE")
        counts = {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("registry_child", "registry_coe", "delivery_service", "enrollments_enrollment")}
    print(f"generated {counts} in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    generate(sys.argv[1])
