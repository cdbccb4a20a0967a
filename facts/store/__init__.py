"""The fact store: documents, facts, store versions and what each reload changed (their tables and
the migrations), the build from a folder of reports, the search index and its cache, and
`FactService`, the one object that builds, answers and lists facts.
"""
