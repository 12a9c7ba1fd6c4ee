"""Adapters: the only code that calls boto3. One module per AWS service, typed in and out."""
