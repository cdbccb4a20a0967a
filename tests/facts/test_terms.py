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


@pytest.mark.parametrize(
    ("question", "corrected"),
    [
        ("2022年江津斑列开行多少列", "2022年江津班列开行多少列"),  # 斑 for 班: a typo that sounds alike
        (
            "2023年码头集装箱作业量是多少",
            "2023年码头集装箱作业量是多少",
        ),  # 量是 sounds like 粮食, but 是 is a word
    ],
    ids=["homophone-typo", "a-copula-is-no-typo"],
)
def test_sound_alike_corrections(question, corrected):
    tokenizer = Tokenizer(load_lexicon())
    tokenizer.learn(["班列", "粮食", "集装箱", "作业量", "码头"])
    assert tokenizer.correct(question) == corrected


def test_a_term_the_lexicon_names_stays_whole_however_jieba_cuts_it():
    # 协议投资额 is written 协议引资额 and cut 协议 + 引资额: the lexicon's term is still among its words
    assert "协议引资" in TOKENIZER.terms("同比增加超50%;协议投资额达180亿元以上")
