"""newsboat's own files (``urls``, ``config``, ``cache.db``), read as newsboat reads them."""
