"""The article of the original WordPress page, which migration 0002 creates (tests and the benchmark use it too)."""

SLUG = "can-facial-exercises-improve-your-skin"
TITLE = "Can Facial Exercises Improve Your Skin?"
