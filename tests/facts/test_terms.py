"""The words a sentence is indexed by (facts.text.Tokenizer.terms): what a word read whole also means."""

import pytest

from facts.lexicon import load_lexicon
from facts.text import Tokenizer

TOKENIZER = Tokenizer(load_lexicon())


@pytest.mark.parametrize(
    ("sentence", "means_gdp"),
    [
        ("南开区的经济增长仅为4.1%,位居中游", True),
        ("上半年全州经济增速达6.8%", True),
        ("更大力度稳定实体经济增长,更大力度推进乡村振兴", False),  # a slogan: 实体经济 + 增长
        ("全区工业增加值增长5.2%", False),
    ],
)
def test_economic_growth_is_the_growth_of_gdp(sentence, means_gdp):
    assert ("地区生产总值" in TOKENIZER.terms(sentence)) is means_gdp
