"""Planning the next week: a suggested quota per agency and product (issue 9, part 7).

``rule`` is the arithmetic over plain numbers; ``selectors`` gathers those numbers with a few
aggregate queries; ``template`` writes the suggestions as the quota import's long-form sheet.
"""
