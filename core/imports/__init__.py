"""Importing the office's spreadsheets into the customer archive (C-1): read a CSV or an .xlsx without asking
its encoding (read), map its headers to fields (fields), check every row (plan) and write the good ones in one
transaction or none (services); the refused rows go back as a workbook to fix (bad_rows)."""
