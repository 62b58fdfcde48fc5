"""Payments and the arrears case, the use cases: intake, links, bank matching, the case and its
ladder, pause, arrangements, returned debits and the statement."""
