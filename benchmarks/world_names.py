"""Author names as real author lists carry them, for the synthetic dumps (``generate.py --names world``).

Two independent sources: Faker's per-locale first and last names (a well-kept list the parser was not written
from; Faker is in the ``test`` extra), and hand-written lists of the hard shapes the dump notes name
(apostrophes, particles, suffixes, hyphens, inner capitals, single names, initials anywhere, lower-case and
all-capital spellings). Every name comes with its class, so that a benchmark can report per class.
"""

from __future__ import annotations

import random

# Locale -> how a name is written in an author list: "gf" given then family with a space, "fg" family then
# given with a space, "fg0" family then given without a space (Chinese, Korean).
LOCALES = {
    "en_US": "gf", "en_GB": "gf", "en_IN": "gf", "de_DE": "gf", "fr_FR": "gf", "es_ES": "gf", "es_MX": "gf",
    "it_IT": "gf", "pt_BR": "gf", "nl_NL": "gf", "pl_PL": "gf", "cs_CZ": "gf", "hu_HU": "gf", "tr_TR": "gf",
    "fi_FI": "gf", "sv_SE": "gf", "da_DK": "gf", "ro_RO": "gf", "hr_HR": "gf", "lt_LT": "gf", "ga_IE": "gf",
    "yo_NG": "gf", "id_ID": "gf", "sw": "gf",
    "ru_RU": "gf", "uk_UA": "gf", "bg_BG": "gf", "el_GR": "gf", "ka_GE": "gf", "hy_AM": "gf",
    "ar_AA": "gf", "fa_IR": "gf", "he_IL": "gf", "hi_IN": "gf", "th_TH": "gf", "bn_BD": "gf",
    "zh_CN": "fg0", "zh_TW": "fg0", "ja_JP": "fg", "ko_KR": "fg0",
}
# Names in Latin letters that Chinese and Japanese authors use in English-language listings.
ROMANIZED = ("zh_CN", "ja_JP", "zh_TW")

VIETNAMESE = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Phúc", "Phạm Minh Đức", "Hoàng Thị Thu Hà",
              "Vũ Quốc Khánh", "Đặng Ngọc Ánh", "Bùi Thị Hương", "Đỗ Mạnh Hùng", "Ngô Bảo Châu", "Dương Tú Anh",
              "Lý Thường Kiệt", "Huỳnh Tấn Phát", "Phan Thanh Hải", "Võ Thị Sáu", "Trịnh Công Sơn")

HARD = {
    "apostrophe": ("Sean O'Brien", "Luca D'Amato", "Aminata N'Diaye", "Jean le Rond d'Alembert", "Siobhán O’Neill",
                   "Marco D’Angelo", "Kerry-Ann O'Connor", "Giulia dell'Orto", "Pieter ’t Hooft", "Dara O'Shea",
                   "Moussa N’Dour", "Ngũgĩ wa Thiong'o", "Anne D'Souza", "Carlo Dell'Acqua"),
    "particle": ("Ludwig van Beethoven", "Maria de la Cruz", "Ahmed al-Farsi", "Khalid bin Salman",
                 "Ibn Rushd", "John von Neumann", "Jan van der Berg", "Ana Luísa dos Santos", "Pedro de Souza",
                 "Lucía del Río", "Ursula von der Leyen", "Hamid ibn Yusuf", "Omar el-Sayed", "Wim ter Horst",
                 "Gerard 't Hooft", "Karim bin Abdullah", "Chiara della Valle", "Nour al-Huda", "Joost de Vries",
                 "Rafael da Silva", "Eva zu Putlitz", "Yusuf ibn Ali"),
    "suffix": ("Martin Luther King Jr.", "Robert Downey Jr.", "William Gates III", "John Smith Sr.",
               "Henry Ford II", "James Earl Carter Jr.", "Thomas Watson IV", "Louis Gossett Jr."),
    "hyphen": ("Anne-Sophie Martin", "Jean-Pierre Dupont", "Hans-Jürgen Müller", "Mary-Kate Olsen",
               "Seo-yeon Park", "Hyun-woo Kim", "Ana García-López", "Jean-Luc Picard-Smith", "Li-Wei Chen",
               "Marie-Claire Lefèvre-Dubois", "Karl-Heinz Rummenigge", "Lise-Lotte Nielsen"),
    "inner-caps": ("Ronald McDonald", "Danny DeWitt", "Yann LeCun", "XiaoXiao Xu", "Douglas MacArthur",
                   "Leonardo DiCaprio", "JiaQi Wang", "MingYu Li", "Shaquille O'Neal", "Tim McGraw",
                   "Ann-Marie MacDonald", "Jordan DeLuca", "Mei LaRue", "YiFan Chen", "Kate VanDyke"),
    "single": ("Sukarno", "Suharto", "Madonna", "Plato", "Aristotle", "Teller", "Björk", "Prince", "Pelé",
               "Mulyadi", "Oyelaran", "Herodotus"),
    "initials": ("J. R. R. Tolkien", "K. Yang", "John A. B. Smith", "A. Smith", "Kevin K. Yang", "T. S. Eliot",
                 "J.-P. Sartre", "H. G. Wells", "Mary E. Jones", "C. A. R. Hoare", "W. Edwards Deming",
                 "E. F. Codd", "Ana M. Ruiz", "R. L. Stine", "P. K. Subban"),
    "lowercase": ("bell hooks", "danah boyd", "john smith", "ana lee", "wei zhang", "maria garcía",
                  "e. e. cummings", "k. d. lang", "jan de vries", "li na", "rui costa", "tom tykwer"),
    "all-caps": ("ZHANG Wei", "Wei ZHANG", "LIN LI-YUN", "HUNG SHU-CHUAN", "JOHN SMITH", "MARIE CURIE",
                 "Jean DUPONT", "KIM Min-jun", "WANG Xiaoming", "NGUYEN Van An", "Pierre MARTIN", "TANAKA Yuki"),
    "team": ("OneRec Team", "Qwen Team", "Kimi Team", "Gemma Team", "DeepSeek-AI Team", "The ATLAS Collaboration",
             "BigScience Consortium", "Open Catalyst Project"),
}

# Title endings that look like the start of a name, or end in capitals, digits and inner capitals.
HARD_ENDINGS = ("for Edge TPUs", "with BERT4Rec", "via LLaMA-3", "on GPT-4o", "with Sparse Mixture-of-Experts",
                "for RecSys", "for LLMs", "with DeepSeek-R1", "using XGBoost", "on iOS", "on ImageNet-1K",
                "via Q-Learning", "with t-SNE", "for eBay", "of GNNs", "in 3D", "at 100B Scale", "with LoRA",
                "for YouTube", "on ARM64", "with OpenAI o1", "for WeChat", "with McKinsey", "via DeBERTa-v3",
                "with Llama 3.1", "for Non-IID Data", "(LLMs)", "in the Wild?", "Revisited!", "with GPT-4V",
                "for TikTok", "on Ascend NPUs", "with PaLM-E", "for O'Reilly Media", "of Ab Initio MD",
                "for RNA-Seq", "with AlphaFold2", "for BioBERT", "via RLHF", "for SQuAD v2")


class WorldNames:
    """A pool of (name, class, locale) drawn reproducibly from Faker's locales and the hard-shape lists."""

    def __init__(self, rng: random.Random, per_locale: int = 40, locales: tuple[str, ...] | None = None):
        from faker import Faker  # the test extra; only the world mode of the generator needs it

        self.rng = rng
        self.people: list[tuple[str, str, str]] = []
        for locale, order in LOCALES.items():
            if locales is not None and locale not in locales:
                continue
            fake = Faker(locale)
            fake.seed_instance(rng.randrange(2**31))
            seen = set()
            for _ in range(per_locale * 3):
                if len(seen) >= per_locale:
                    break
                given, family = fake.first_name().strip(), fake.last_name().strip()
                if ", " in family:  # Faker's Dutch sort form "Berg, van den" -> "van den Berg"
                    head, _, particle = family.partition(", ")
                    family = f"{particle} {head}"
                name = {"gf": f"{given} {family}", "fg": f"{family} {given}", "fg0": f"{family}{given}"}[order]
                if name not in seen:
                    seen.add(name)
                    self.people.append((name, "locale", locale))
            if locale in ROMANIZED:
                for _ in range(per_locale // 2):
                    self.people.append((fake.romanized_name(), "locale", locale + "-latin"))
        self.people += [(n, "locale", "vi_VN") for n in VIETNAMESE]
        self.hard = [(n, cls, "hard") for cls, names in HARD.items() for n in names]

    def locales(self) -> set[str]:
        return {loc for _, _, loc in self.people}

    def pick(self, classic: list[str], hard_share: float = 0.25, world_share: float = 0.45) -> tuple[str, str, str]:
        roll = self.rng.random()
        if roll < hard_share:
            return self.rng.choice(self.hard)
        if roll < hard_share + world_share:
            return self.rng.choice(self.people)
        return self.rng.choice(classic), "plain", "classic"
