"""Reading reports: decode → repair → segment → figures → periods and subjects → facts.

Pure functions over text (no database, no Telegram); `extract.extract_facts` is the stage's output.
"""
