"""Generate a benchmark corpus by rewriting the seed reports for other districts.

Each report copies one seed file (round robin) and changes three things:

* the district 江津 becomes another Chongqing/Sichuan district or county;
* the town 珞璜 becomes another two-character town, different per report;
* every figure followed by a unit (亿元, 万吨, %, 列, 家, 个 …) is multiplied by a per-report
  factor, written with as many decimals as the original.

Years, months and days (2019 年 1月) are never followed by a unit, so they stay; ordinals (第6个),
time spans (3个月) and document numbers (〔2019〕3 号) are left alone explicitly. Line breaks and OCR
defects are kept: the engine has to cope with them at scale too.

    python benchmarks/make_corpus.py --seeds seeds --out /tmp/corpus -n 300
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

SEED_DISTRICT = "江津"
SEED_TOWN = "珞璜"
WHOLE = 100  # percent: a share cannot pass it

# fmt: off
# 60 real districts, counties and cities of Chongqing and Sichuan (× 5 seeds = 300 distinct pairs).
DISTRICTS = (
    "璧山", "永川", "合川", "綦江", "大足", "铜梁", "潼南", "荣昌", "长寿", "涪陵",
    "南川", "万州", "黔江", "开州", "梁平", "武隆", "垫江", "丰都", "忠县", "云阳",
    "奉节", "巫山", "巫溪", "石柱", "秀山", "酉阳", "彭水", "城口", "沙坪坝", "九龙坡",
    "南岸", "北碚", "渝北", "巴南", "大渡口", "江北", "渝中", "泸州", "宜宾", "内江",
    "自贡", "遂宁", "资阳", "眉山", "乐山", "德阳", "绵阳", "广安", "达州", "南充",
    "巴中", "雅安", "攀枝花", "广元", "郫都", "温江", "双流", "新都", "龙泉驿", "都江堰",
)

# Real two-character towns, none of which occurs in the seeds (双福, 德感, 几江 … do).
TOWNS = (
    "来凤", "丁家", "白市", "西彭", "铜罐", "走马", "陶家", "界石", "木洞", "鱼洞",
    "蔡家", "施家", "水土", "复兴", "悦来", "礼嘉", "龙兴", "石船", "洛碛", "统景",
    "兴隆", "茨竹", "大湾", "御临", "木耳", "古路", "石桥", "土桥", "安居", "少云",
    "高楼", "围龙", "石龙", "合兴", "河包", "万古", "古昌", "龙水", "邮亭", "宝顶",
    "拾万", "三教", "金龙", "中敖", "隆济", "石鱼", "长滩", "仙龙", "板桥", "来苏",
    "双石", "松溉", "朱沱", "吉安", "何埂", "临江", "大路", "清平", "正兴", "八塘",
)

# Longest units first so that 亿元 is preferred over 亿 (only the number is rewritten either way).
_UNITS = (
    "亿美元", "亿元", "万元", "万吨", "万人", "万户", "万辆", "万平方米", "平方公里", "平方米", "个百分点", "标箱", "公里", "千瓦",
    "兆瓦", "人次", "辆", "亿", "万", "%", "％", "列", "家", "个", "吨", "元", "户", "项",
    "亩", "人", "名", "台", "套", "座", "条", "所", "批", "种", "倍", "次", "米",
)
# fmt: on
_UNIT = "|".join(re.escape(unit) for unit in _UNITS)
# Time spans are not figures we scale: 3个月, 5个工作日.
_NOT_A_FIGURE = re.compile(r"个\s*(?:月|工作日|小时)")
FIGURE = re.compile(
    r"(?<![\d.．〔\[])"  # a whole number, not the inside of a document number like 〔2019〕
    r"(?P<number>\d+(?:[.．]\d+)?)"
    r"(?P<gap>\s*)"  # OCR spaces and line breaks between figure and unit are kept as they are
    r"(?P<unit>(?:余|多)?(?:" + _UNIT + r"))"
)
# The first figure of a range such as 10-15万吨 carries no unit of its own but scales with the second.
RANGE_START = re.compile(
    r"(?<![\d.．〔\[])(?P<number>\d+(?:[.．]\d+)?)"
    r"(?=\s*[-—–~～至到]\s*\d+(?:[.．]\d+)?\s*(?:余|多)?(?:" + _UNIT + r"))"
)
_ORDINAL_BEFORE = re.compile(r"第\s*$")


def scale_figures(text: str, factor: float) -> str:
    """Multiply every figure followed by a unit by `factor`, keeping the number of decimals."""

    def rewrite(match: re.Match[str]) -> str:
        number = match["number"]
        after = text[match.start("unit") : match.start("unit") + 6]
        before = text[max(0, match.start() - 3) : match.start()]
        if _NOT_A_FIGURE.match(after) or _ORDINAL_BEFORE.search(before):
            return match[0]
        return (
            _scaled(number, factor, percent=match["unit"].endswith(("%", "％")))
            + match["gap"]
            + match["unit"]
        )

    def rewrite_range_start(match: re.Match[str]) -> str:
        before = text[max(0, match.start() - 3) : match.start()]
        if _ORDINAL_BEFORE.search(before):
            return match[0]
        return _scaled(match["number"], factor, percent=False)

    # Range starts first: their lookahead must still see the unscaled end of the range.
    text = RANGE_START.sub(rewrite_range_start, text)
    return FIGURE.sub(rewrite, text)


def _scaled(number: str, factor: float, *, percent: bool) -> str:
    separator = "．" if "．" in number else "."
    whole, _, fraction = number.replace("．", ".").partition(".")
    value = float(f"{whole}.{fraction or 0}")
    new = value * factor
    # A share of at most 100% stays a share (scaled down instead); growth rates above 100% scale freely.
    if percent and value <= WHOLE < new:
        new = value / factor
    decimals = len(fraction)
    if value > 0:
        new = max(new, 10**-decimals)  # a positive figure never rounds down to zero
    text = f"{new:.{decimals}f}"
    if decimals:
        text = text.replace(".", separator)
    return text


def rewrite_report(text: str, *, district: str, town: str, factor: float) -> str:
    """One seed report, rewritten for `district` with the figures scaled by `factor`."""
    text = scale_figures(text, factor)  # before renaming, so that 万州 never reads as a unit
    text = text.replace(SEED_TOWN, town)
    if district.endswith("县"):
        text = text.replace(SEED_DISTRICT + "区", district)  # 忠县, not 忠县区
    return text.replace(SEED_DISTRICT, district)


def make_corpus(seeds_dir: Path, out_dir: Path, n_reports: int = 300, seed: int = 7) -> list[Path]:
    """Write `n_reports` rewritten seed reports to `out_dir` and return their paths, in order."""
    seeds = sorted(Path(seeds_dir).glob("*.txt"))
    if not seeds:
        raise FileNotFoundError(f"no *.txt seed reports in {seeds_dir}")
    texts = [path.read_bytes().decode("utf-8") for path in seeds]
    rng = random.Random(seed)
    districts = list(DISTRICTS)
    rng.shuffle(districts)
    towns = list(TOWNS)
    rng.shuffle(towns)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_reports):
        seed_index = i % len(seeds)
        # Consecutive blocks of len(seeds) reports share a district, so every (district, seed) pair
        # is distinct for the first len(DISTRICTS) × len(seeds) reports.
        district = districts[(i // len(seeds)) % len(districts)]
        town = towns[i % len(towns)]
        factor = round(rng.uniform(0.5, 1.8), 3)
        text = rewrite_report(texts[seed_index], district=district, town=town, factor=factor)
        path = out_dir / f"{i:03d}_{district}_{seeds[seed_index].stem}.txt"
        path.write_bytes(text.encode("utf-8"))  # bytes: keep the seed's line endings untouched
        paths.append(path)
    return paths


def district_of(path: Path) -> str:
    """The district a generated report was written for, read back from its file name."""
    return Path(path).name.split("_")[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=Path(__file__).resolve().parent.parent / "seeds")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-n", "--reports", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = make_corpus(args.seeds, args.out, args.reports, args.seed)
    size = sum(path.stat().st_size for path in paths)
    print(f"wrote {len(paths)} reports ({size / 1024:.0f} KB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
