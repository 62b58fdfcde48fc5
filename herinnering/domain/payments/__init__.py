"""Payments and the arrears case, the pure rules: payment states, intake files, bank matching,
arrangements, the ladder, collection costs, returned debits and the statement."""
