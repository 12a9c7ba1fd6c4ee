"""Adapters: the only code that calls AWS (botocore). One module per AWS service, typed in and out."""
