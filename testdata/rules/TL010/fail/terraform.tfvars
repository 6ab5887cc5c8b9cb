ci_account = "210987654321" # expect: TL010
