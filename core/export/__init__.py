"""Exports of the lists (issue 13): every row a list's filters select, streamed into a CSV or an .xlsx file on
disk, handed once to the user who asked, audited."""
