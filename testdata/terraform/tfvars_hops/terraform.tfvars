ci_account    = "210987654321"
audit_account = "111122223333"
