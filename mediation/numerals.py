"""Amounts in capital Chinese numerals (大写金额), as agreements and receipts write them next to the
figures so that neither can be altered: 50000.00 → 人民币伍万元整, 1234.56 → 人民币壹仟贰佰叁拾肆元伍角陆分."""

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def _four_digits(group: int) -> str:
    """0–9999 in capitals, with 零 where a digit is skipped inside the group."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def _integer(value: int) -> str:
    if value == 0:
        return "零"
    groups = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    text = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            if text and not text.endswith("零"):
                text += "零"
            continue
        if text and group < 1000 and not text.endswith("零"):
            text += "零"
        text += _four_digits(group) + BIG_UNITS[index]
    return text.rstrip("零")


def yuan_in_capitals(amount: Decimal) -> str:
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("amount must not be negative")
    yuan = int(amount)
    cents = int((amount - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    text = "人民币" + (_integer(yuan) + "元" if yuan or not cents else "")
    if not cents:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return text
