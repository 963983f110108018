# The labels hold each language's own punctuation on purpose.
# ruff: noqa: RUF001
"""What the library holds: its pages in order, and the languages it speaks (those of the
alerts, vecinos/alerts/phrases.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vecinos.alerts.phrases import BOOKS

# slug -> what the page is about, in the interface language (for editors and lists).
PAGES: dict[str, object] = {
    "door": _("Your rights at the door"),
    "street": _("In the street or in a car"),
    "work": _("At work"),
    "school": _("At school: for parents"),
    "detained": _("If someone is detained"),
    "family-plan": _("Prepare a family plan"),
    "witness": _("Be a witness: film safely"),
    "red-card": _("Red card"),
}
# Pages that exist in every alert language (the others in English and Spanish).
EVERY_LANGUAGE = ("door", "red-card")
# Pages that every installation has complete in these languages.
COMPLETE_LANGUAGES = ("en", "es")

LANGUAGES: dict[str, str] = {code: book.name for code, book in BOOKS.items()}
RTL = frozenset(code for code, book in BOOKS.items() if book.rtl)
DEFAULT_LANGUAGE = "en"


def language_or_none(value: object) -> str | None:
    """Our code for ``value`` if the library speaks it."""
    from vecinos.alerts.messages import normalize_language

    code = normalize_language(value)
    return code if code in LANGUAGES else None


# Words printed on the cards and shown beside a page, in each language the library
# speaks: data like the alert phrasebook, not interface strings (the interface speaks
# English and Spanish). "unreviewed" is shown on a translation no fluent person has
# reviewed yet; its own wording is unreviewed too outside English and Spanish.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "hotline": "Hotline",
        "scan": "Read more",
        "unreviewed": "This translation has not yet been reviewed by a fluent speaker.",
        "back": "Show this side to the agent",
    },
    "es": {
        "hotline": "Línea de ayuda",
        "scan": "Lea más",
        "unreviewed": "Esta traducción aún no ha sido revisada por un hablante nativo.",
        "back": "Muestre este lado al agente",
    },
    "zh-hans": {
        "hotline": "热线",
        "scan": "了解更多",
        "unreviewed": "此译文尚未经母语人士审核。",
        "back": "把这一面给执法人员看",
    },
    "zh-hant": {
        "hotline": "熱線",
        "scan": "了解更多",
        "unreviewed": "此譯文尚未經母語人士審核。",
        "back": "把這一面給執法人員看",
    },
    "ko": {
        "hotline": "핫라인",
        "scan": "더 알아보기",
        "unreviewed": "이 번역은 아직 원어민의 검토를 받지 않았습니다.",
        "back": "이 면을 요원에게 보여 주세요",
    },
    "tl": {
        "hotline": "Hotline",
        "scan": "Alamin pa",
        "unreviewed": "Ang salin na ito ay hindi pa nasusuri ng taong matatas sa wika.",
        "back": "Ipakita ang panig na ito sa ahente",
    },
    "vi": {
        "hotline": "Đường dây nóng",
        "scan": "Tìm hiểu thêm",
        "unreviewed": "Bản dịch này chưa được người thông thạo ngôn ngữ kiểm tra.",
        "back": "Đưa mặt này cho nhân viên xem",
    },
    "hy": {
        "hotline": "Թեժ գիծ",
        "scan": "Իմացեք ավելին",
        "unreviewed": "Այս թարգմանությունը դեռ չի ստուգվել լեզվին տիրապետող անձի կողմից։",
        "back": "Այս կողմը ցույց տվեք գործակալին",
    },
    "fa": {
        "hotline": "خط تلفن اضطراری",
        "scan": "بیشتر بخوانید",
        "unreviewed": "این ترجمه هنوز توسط فردی مسلط به زبان بازبینی نشده است.",
        "back": "این طرف را به مأمور نشان دهید",
    },
    "ru": {
        "hotline": "Горячая линия",
        "scan": "Подробнее",
        "unreviewed": "Этот перевод ещё не проверен носителем языка.",
        "back": "Покажите эту сторону агенту",
    },
    "ja": {
        "hotline": "ホットライン",
        "scan": "詳しくはこちら",
        "unreviewed": "この翻訳はまだ母語話者による確認を受けていません。",
        "back": "この面を職員に見せてください",
    },
    "km": {
        "hotline": "ខ្សែទូរស័ព្ទជំនួយ",
        "scan": "អានបន្ថែម",
        "unreviewed": "ការបកប្រែនេះមិនទាន់ត្រូវបានពិនិត្យដោយអ្នកចេះភាសានេះស្ទាត់ទេ។",
        "back": "បង្ហាញផ្នែកនេះដល់ភ្នាក់ងារ",
    },
}
