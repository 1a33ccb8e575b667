"""The only package that talks to AWS. Imported lazily: a dormant plugin never loads boto3."""
