"""A row of a services file (interfaces.md, "Services"), as text, with sensible defaults."""


def service(coe_id="", child_index="", state_student_id="1234567890", service="READINSTR", project_id="P-1",
            session_type="regular", begin_date="2025-09-15", end_date="2025-12-15", hours="20") -> dict:
    return dict(coe_id=coe_id, child_index=child_index, state_student_id=state_student_id, service=service,
                project_id=project_id, session_type=session_type, begin_date=begin_date, end_date=end_date,
                hours=hours)
