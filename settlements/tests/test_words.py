"""Amounts in Vietnamese words, as a receipt writes them."""

import pytest

from settlements.words import dong_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi tư đồng"),
        (25, "Hai mươi lăm đồng"),
        (101, "Một trăm linh một đồng"),
        (104, "Một trăm linh bốn đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (115, "Một trăm mười lăm đồng"),
        (1_000, "Một nghìn đồng"),
        (1_005, "Một nghìn không trăm linh năm đồng"),
        (1_050, "Một nghìn không trăm năm mươi đồng"),
        (10_000, "Mười nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105_300, "Một trăm linh năm nghìn ba trăm đồng"),
        (884_520, "Tám trăm tám mươi tư nghìn năm trăm hai mươi đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_000_050, "Một triệu không trăm năm mươi đồng"),
        (1_263_600, "Một triệu hai trăm sáu mươi ba nghìn sáu trăm đồng"),
        (1_512_000, "Một triệu năm trăm mười hai nghìn đồng"),
        (3_168_000, "Ba triệu một trăm sáu mươi tám nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (2_005_000_001, "Hai tỷ không trăm linh năm triệu không trăm linh một đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (
            1_234_567_891_011,
            "Một nghìn hai trăm ba mươi tư tỷ năm trăm sáu mươi bảy triệu tám trăm chín mươi mốt nghìn "
            "không trăm mười một đồng",
        ),
    ],
)
def test_amounts_in_words(amount, words):
    assert dong_in_words(amount) == words


def test_the_southern_le():
    assert dong_in_words(105_300, zero_tens="lẻ") == "Một trăm lẻ năm nghìn ba trăm đồng"


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True])
def test_refuses_what_is_not_whole_dong(bad):
    with pytest.raises(ValueError):
        dong_in_words(bad)
