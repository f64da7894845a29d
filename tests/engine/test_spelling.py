from bot.engine.spelling import Speller


def test_misspelt_subject_words_are_corrected_to_the_knowledge_base_vocabulary():
    speller = Speller(["commune", "communes", "dikotter", "famine", "sparrow", "backyard"])
    assert speller.correct("comune") == "commune"
    assert speller.correct("dikoter") == "dikotter"
    assert speller.correct("famnie") == "famine"


def test_ordinary_english_and_known_words_are_left_as_typed():
    speller = Speller(["capitalism", "commune", "france"])
    assert speller.correct("capital") is None  # a real word, not a typo for "capitalism"
    assert speller.correct("commune") is None
    assert speller.correct("xyz") is None  # too short to guess
