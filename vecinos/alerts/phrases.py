# The translations hold full-width colons and commas, Arabic-Indic digits and the like
# on purpose.
# ruff: noqa: RUF001
"""The alert phrasebook: every sentence an alert message is built from, in each of the
twelve alert languages.

Alerts are rendered from structured fields (the kind of incident, the time, the place
label written by staff, the dispatcher's short note) through these per-language
sentences, never from free text (docs/architecture.md, principle 6). They are Python data rather
than gettext catalogues because the interface speaks two languages while alerts speak
twelve, and because data can be checked for completeness by a test
(tests/test_messages_phrasebook.py): every language has every kind, every sentence and
the same placeholders.

Placeholders: ``{what}`` the kind as it reads inside a sentence (with an article where
the language needs one), ``{event}`` the kind as a label, ``{terse}`` the kind in a word
or two, ``{where}`` the place phrase (``near`` or ``nowhere``), ``{place}`` the place
label, ``{time}`` the local time.

The SMS forms run from ``full`` (a complete sentence) through ``short`` to ``tiny``,
which with the short link and the way out fits one UCS-2 segment (70 code units) when
the link is at most ``messages.TINY_LINK_BUDGET`` characters long.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

INCIDENT_KINDS = ("raid", "checkpoint", "arrest", "patrol", "surveillance", "other")
ALERT_KINDS = ("alert", "retraction", "all_clear")

Clock = Literal["12h", "24h"]


@dataclass(frozen=True)
class Phrasebook:
    code: str  # our code, as subscriptions store it ("es", "zh-hans")
    name: str  # the language's own name for itself
    cap: str  # RFC 3066 tag for CAP <language> ("es-US", "zh-CN")
    events: Mapping[str, str]  # incident kind → label ("Immigration raid")
    kinds: Mapping[str, str]  # incident kind → as it reads in a sentence
    terse: Mapping[str, str]  # incident kind → a word or two, for the tiny SMS
    titles: Mapping[str, str]  # alert kind → "ALERT", "CORRECTION", "ALL CLEAR"
    full: Mapping[str, str]  # alert kind → a complete sentence
    short: Mapping[str, str]  # alert kind → a shorter one
    tiny: Mapping[str, str]  # alert kind → the shortest, title included
    near: str  # "near {place}"
    nowhere: str  # when no place label was written: "in your area"
    rights: str  # label before the link: "Know your rights:"
    reply_stop: str  # the way out, as a sentence
    short_stop: str  # the way out, shorter
    keyword: str  # the word that stops: STOP (ALTO in Spanish)
    details: str  # email: label before the alert page's address
    unsubscribe: str  # email: label before the one-click unsubscribe link
    why: str  # email: why this message came
    note: str  # label before the dispatcher's note (email, web)
    test: str  # marks a test-mode message
    colon: str = ": "  # between a title and its sentence
    rtl: bool = False
    # SMS may fold accents to plain letters to stay in GSM-7 (160 characters a segment
    # instead of 70): readable in Spanish, English and Tagalog; not in Vietnamese,
    # where the marks carry meaning.
    fold: bool = False
    clock: Clock = "24h"
    digits: str = "0123456789"


EN = Phrasebook(
    code="en",
    name="English",
    cap="en-US",
    events={
        "raid": "Immigration raid",
        "checkpoint": "Immigration checkpoint",
        "arrest": "Immigration arrest",
        "patrol": "Immigration patrol",
        "surveillance": "Immigration surveillance",
        "other": "Immigration enforcement",
    },
    kinds={
        "raid": "immigration raid",
        "checkpoint": "immigration checkpoint",
        "arrest": "immigration arrest",
        "patrol": "immigration patrol",
        "surveillance": "immigration surveillance",
        "other": "immigration enforcement activity",
    },
    terse={
        "raid": "immigration raid",
        "checkpoint": "immigration checkpoint",
        "arrest": "immigration arrest",
        "patrol": "immigration patrol",
        "surveillance": "immigration surveillance",
        "other": "immigration agents",
    },
    titles={"alert": "ALERT", "retraction": "CORRECTION", "all_clear": "ALL CLEAR"},
    full={
        "alert": "{what} confirmed {where} at {time}.",
        "retraction": "the alert of {time} ({what} {where}) was sent in error.",
        "all_clear": "the alert of {time} ({what} {where}) is over.",
    },
    short={
        "alert": "{event} {where}, {time}.",
        "retraction": "ignore the alert of {time} ({what}).",
        "all_clear": "the alert of {time} ({what}) is over.",
    },
    tiny={
        "alert": "ALERT {time}: {terse}",
        "retraction": "CORRECTION: ignore the {time} alert",
        "all_clear": "ALL CLEAR: the {time} alert is over",
    },
    near="near {place}",
    nowhere="in your area",
    rights="Know your rights:",
    reply_stop="Reply STOP to stop.",
    short_stop="STOP to end",
    keyword="STOP",
    details="Details and your rights:",
    unsubscribe="To stop these emails:",
    why="You get this because you signed up for alerts for this area.",
    note="Note from the response team:",
    test="TEST",
    fold=True,
    clock="12h",
)

ES = Phrasebook(
    code="es",
    name="Español",
    cap="es-US",
    events={
        "raid": "Redada de inmigración",
        "checkpoint": "Retén de inmigración",
        "arrest": "Arresto de inmigración",
        "patrol": "Patrulla de inmigración",
        "surveillance": "Vigilancia de inmigración",
        "other": "Actividad de inmigración",
    },
    kinds={
        "raid": "una redada de inmigración",
        "checkpoint": "un retén de inmigración",
        "arrest": "un arresto de inmigración",
        "patrol": "una patrulla de inmigración",
        "surveillance": "vigilancia de inmigración",
        "other": "actividad de inmigración",
    },
    terse={
        "raid": "redada de inmigración",
        "checkpoint": "retén de inmigración",
        "arrest": "arresto de inmigración",
        "patrol": "patrulla de inmigración",
        "surveillance": "vigilancia de inmigración",
        "other": "agentes de inmigración",
    },
    titles={"alert": "ALERTA", "retraction": "CORRECCIÓN", "all_clear": "FIN DE ALERTA"},
    full={
        "alert": "se confirmó {what} {where} a las {time}.",
        "retraction": "la alerta de las {time} sobre {what} {where} se envió por error.",
        "all_clear": "terminó la alerta de las {time} sobre {what} {where}.",
    },
    short={
        "alert": "{event} {where}, {time}.",
        "retraction": "ignore la alerta de las {time} ({event}).",
        "all_clear": "terminó la alerta de las {time} ({event}).",
    },
    tiny={
        "alert": "ALERTA {time}: {terse}",
        "retraction": "CORRECCIÓN: ignore la alerta de las {time}",
        "all_clear": "FIN DE ALERTA: la alerta de las {time} terminó",
    },
    near="cerca de {place}",
    nowhere="en su zona",
    rights="Conozca sus derechos:",
    reply_stop="Responda ALTO para no recibir más.",
    short_stop="ALTO para salir",
    keyword="ALTO",
    details="Detalles y sus derechos:",
    unsubscribe="Para no recibir más correos:",
    why="Recibe este mensaje porque se suscribió a alertas para esta zona.",
    note="Nota del equipo de respuesta:",
    test="PRUEBA",
    fold=True,
)

ZH_HANS = Phrasebook(
    code="zh-hans",
    name="简体中文",
    cap="zh-CN",
    events={
        "raid": "移民突袭",
        "checkpoint": "移民检查站",
        "arrest": "移民逮捕",
        "patrol": "移民巡逻",
        "surveillance": "移民监视",
        "other": "移民执法活动",
    },
    kinds={
        "raid": "移民突袭",
        "checkpoint": "移民检查站",
        "arrest": "移民逮捕",
        "patrol": "移民巡逻",
        "surveillance": "移民监视",
        "other": "移民执法活动",
    },
    terse={
        "raid": "移民突袭",
        "checkpoint": "移民检查站",
        "arrest": "移民逮捕",
        "patrol": "移民巡逻",
        "surveillance": "移民监视",
        "other": "移民执法",
    },
    titles={"alert": "警报", "retraction": "更正", "all_clear": "警报解除"},
    full={
        "alert": "{time}在{where}确认有{what}。",
        "retraction": "{time}关于{where}{what}的警报为误发。",
        "all_clear": "{time}发布的{where}{what}警报已解除。",
    },
    short={
        "alert": "{where}{event}，{time}。",
        "retraction": "请忽略{time}的警报（{event}）。",
        "all_clear": "{time}的警报（{event}）已解除。",
    },
    tiny={
        "alert": "警报 {time}：{terse}",
        "retraction": "更正：请忽略{time}的警报",
        "all_clear": "警报解除：{time}的警报",
    },
    near="{place}附近",
    nowhere="您所在地区",
    rights="了解您的权利：",
    reply_stop="回复STOP退订。",
    short_stop="STOP退订",
    keyword="STOP",
    details="详情及您的权利：",
    unsubscribe="退订这些邮件：",
    why="您收到此邮件是因为您订阅了该地区的警报。",
    note="应急小组备注：",
    test="测试",
    colon="：",
)

ZH_HANT = Phrasebook(
    code="zh-hant",
    name="繁體中文",
    cap="zh-TW",
    events={
        "raid": "移民突襲",
        "checkpoint": "移民檢查站",
        "arrest": "移民逮捕",
        "patrol": "移民巡邏",
        "surveillance": "移民監視",
        "other": "移民執法活動",
    },
    kinds={
        "raid": "移民突襲",
        "checkpoint": "移民檢查站",
        "arrest": "移民逮捕",
        "patrol": "移民巡邏",
        "surveillance": "移民監視",
        "other": "移民執法活動",
    },
    terse={
        "raid": "移民突襲",
        "checkpoint": "移民檢查站",
        "arrest": "移民逮捕",
        "patrol": "移民巡邏",
        "surveillance": "移民監視",
        "other": "移民執法",
    },
    titles={"alert": "警報", "retraction": "更正", "all_clear": "警報解除"},
    full={
        "alert": "{time}在{where}確認有{what}。",
        "retraction": "{time}關於{where}{what}的警報為誤發。",
        "all_clear": "{time}發布的{where}{what}警報已解除。",
    },
    short={
        "alert": "{where}{event}，{time}。",
        "retraction": "請忽略{time}的警報（{event}）。",
        "all_clear": "{time}的警報（{event}）已解除。",
    },
    tiny={
        "alert": "警報 {time}：{terse}",
        "retraction": "更正：請忽略{time}的警報",
        "all_clear": "警報解除：{time}的警報",
    },
    near="{place}附近",
    nowhere="您所在地區",
    rights="了解您的權利：",
    reply_stop="回覆STOP取消訂閱。",
    short_stop="STOP退訂",
    keyword="STOP",
    details="詳情及您的權利：",
    unsubscribe="取消訂閱這些郵件：",
    why="您收到此郵件是因為您訂閱了該地區的警報。",
    note="應變小組備註：",
    test="測試",
    colon="：",
)

KO = Phrasebook(
    code="ko",
    name="한국어",
    cap="ko-KR",
    events={
        "raid": "이민 단속",
        "checkpoint": "이민 검문소",
        "arrest": "이민 체포",
        "patrol": "이민 순찰",
        "surveillance": "이민 감시",
        "other": "이민 단속 활동",
    },
    kinds={
        "raid": "이민 단속",
        "checkpoint": "이민 검문소",
        "arrest": "이민 체포",
        "patrol": "이민 순찰",
        "surveillance": "이민 감시",
        "other": "이민 단속 활동",
    },
    terse={
        "raid": "이민 단속",
        "checkpoint": "이민 검문소",
        "arrest": "이민 체포",
        "patrol": "이민 순찰",
        "surveillance": "이민 감시",
        "other": "이민 요원",
    },
    titles={"alert": "경보", "retraction": "정정", "all_clear": "경보 해제"},
    full={
        "alert": "{time} {where}에서 {what} 확인.",
        "retraction": "{time} 경보({where} {what})는 잘못 발송되었습니다.",
        "all_clear": "{time} 경보({where} {what})가 해제되었습니다.",
    },
    short={
        "alert": "{where} {event}, {time}.",
        "retraction": "{time} 경보({event})를 무시하세요.",
        "all_clear": "{time} 경보({event}) 해제.",
    },
    tiny={
        "alert": "경보 {time}: {terse}",
        "retraction": "정정: {time} 경보 무시",
        "all_clear": "경보 해제: {time} 경보",
    },
    near="{place} 부근",
    nowhere="귀하의 지역",
    rights="권리 알아보기:",
    reply_stop="수신거부는 STOP 회신.",
    short_stop="수신거부 STOP",
    keyword="STOP",
    details="자세한 내용과 권리:",
    unsubscribe="이메일 수신 거부:",
    why="이 지역의 경보를 신청하셨기 때문에 이 메일을 받으셨습니다.",
    note="대응팀 메모:",
    test="테스트",
)

TL = Phrasebook(
    code="tl",
    name="Tagalog",
    cap="tl-PH",
    events={
        "raid": "Raid ng imigrasyon",
        "checkpoint": "Checkpoint ng imigrasyon",
        "arrest": "Pag-aresto ng imigrasyon",
        "patrol": "Patrol ng imigrasyon",
        "surveillance": "Pagmamanman ng imigrasyon",
        "other": "Aktibidad ng imigrasyon",
    },
    kinds={
        "raid": "raid ng imigrasyon",
        "checkpoint": "checkpoint ng imigrasyon",
        "arrest": "pag-aresto ng imigrasyon",
        "patrol": "patrol ng imigrasyon",
        "surveillance": "pagmamanman ng imigrasyon",
        "other": "aktibidad ng imigrasyon",
    },
    terse={
        "raid": "raid ng imigrasyon",
        "checkpoint": "checkpoint ng imigrasyon",
        "arrest": "pag-aresto ng imigrasyon",
        "patrol": "patrol ng imigrasyon",
        "surveillance": "pagmamanman ng imigrasyon",
        "other": "ahente ng imigrasyon",
    },
    titles={"alert": "BABALA", "retraction": "PAGWAWASTO", "all_clear": "WAKAS NG BABALA"},
    full={
        "alert": "kumpirmadong {what} {where} bandang {time}.",
        "retraction": "mali ang babalang ipinadala bandang {time} ({what} {where}).",
        "all_clear": "tapos na ang {what} {where} (babala ng {time}).",
    },
    short={
        "alert": "{event} {where}, {time}.",
        "retraction": "huwag pansinin ang babala ng {time} ({what}).",
        "all_clear": "tapos na ang babala ng {time} ({what}).",
    },
    tiny={
        "alert": "BABALA {time}: {terse}",
        "retraction": "PAGWAWASTO: huwag pansinin ang babala ng {time}",
        "all_clear": "WAKAS NG BABALA ng {time}",
    },
    near="malapit sa {place}",
    nowhere="sa inyong lugar",
    rights="Alamin ang inyong karapatan:",
    reply_stop="I-reply ang STOP para huminto.",
    short_stop="STOP para huminto",
    keyword="STOP",
    details="Detalye at inyong karapatan:",
    unsubscribe="Para itigil ang mga email na ito:",
    why="Natanggap ninyo ito dahil nag-sign up kayo para sa mga babala sa lugar na ito.",
    note="Paalala mula sa response team:",
    test="PAGSUBOK",
    fold=True,
    clock="12h",
)

VI = Phrasebook(
    code="vi",
    name="Tiếng Việt",
    cap="vi-VN",
    events={
        "raid": "Bố ráp di trú",
        "checkpoint": "Trạm kiểm soát di trú",
        "arrest": "Bắt giữ di trú",
        "patrol": "Tuần tra di trú",
        "surveillance": "Giám sát di trú",
        "other": "Hoạt động di trú",
    },
    kinds={
        "raid": "bố ráp di trú",
        "checkpoint": "trạm kiểm soát di trú",
        "arrest": "bắt giữ di trú",
        "patrol": "tuần tra di trú",
        "surveillance": "giám sát di trú",
        "other": "hoạt động di trú",
    },
    terse={
        "raid": "bố ráp",
        "checkpoint": "trạm kiểm soát",
        "arrest": "bắt người",
        "patrol": "tuần tra",
        "surveillance": "theo dõi",
        "other": "di trú",
    },
    titles={"alert": "CẢNH BÁO", "retraction": "ĐÍNH CHÍNH", "all_clear": "HẾT CẢNH BÁO"},
    full={
        "alert": "đã xác nhận {what} {where} lúc {time}.",
        "retraction": "cảnh báo lúc {time} ({what} {where}) đã gửi nhầm.",
        "all_clear": "cảnh báo lúc {time} ({what} {where}) đã kết thúc.",
    },
    short={
        "alert": "{event} {where}, {time}.",
        "retraction": "bỏ qua cảnh báo lúc {time} ({what}).",
        "all_clear": "cảnh báo lúc {time} ({what}) đã kết thúc.",
    },
    tiny={
        "alert": "KHẨN {time}: {terse}",
        "retraction": "BỎ QUA cảnh báo {time}",
        "all_clear": "HẾT cảnh báo {time}",
    },
    near="gần {place}",
    nowhere="trong khu vực của bạn",
    rights="Biết quyền của bạn:",
    reply_stop="Trả lời STOP để ngừng nhận.",
    short_stop="STOP để ngừng",
    keyword="STOP",
    details="Chi tiết và quyền của bạn:",
    unsubscribe="Để ngừng nhận email này:",
    why="Bạn nhận được thư này vì đã đăng ký nhận cảnh báo cho khu vực này.",
    note="Ghi chú của nhóm phản ứng:",
    test="THỬ NGHIỆM",
)

HY = Phrasebook(
    code="hy",
    name="Հայերեն",
    cap="hy-AM",
    events={
        "raid": "Ներգաղթային ռեյդ",
        "checkpoint": "Ներգաղթային անցակետ",
        "arrest": "Ներգաղթային ձերբակալություն",
        "patrol": "Ներգաղթային պարեկություն",
        "surveillance": "Ներգաղթային հսկողություն",
        "other": "Ներգաղթային գործողություն",
    },
    kinds={
        "raid": "ներգաղթային ռեյդ",
        "checkpoint": "ներգաղթային անցակետ",
        "arrest": "ներգաղթային ձերբակալություն",
        "patrol": "ներգաղթային պարեկություն",
        "surveillance": "ներգաղթային հսկողություն",
        "other": "ներգաղթային գործողություն",
    },
    terse={
        "raid": "ռեյդ",
        "checkpoint": "անցակետ",
        "arrest": "ձերբակալում",
        "patrol": "պարեկ",
        "surveillance": "հետևում",
        "other": "գործակալներ",
    },
    titles={"alert": "ԱՀԱԶԱՆԳ", "retraction": "ՈՒՂՂՈՒՄ", "all_clear": "ԱՀԱԶԱՆԳԻ ԱՎԱՐՏ"},
    full={
        "alert": "ժամը {time}-ին {where} հաստատվել է {what}։",
        "retraction": "ժամը {time}-ի ահազանգը ({where} {what}) ուղարկվել է սխալմամբ։",
        "all_clear": "ժամը {time}-ի ահազանգը ({where} {what}) ավարտված է։",
    },
    short={
        "alert": "{what} {where}, {time}։",
        "retraction": "անտեսեք ժամը {time}-ի ահազանգը ({what})։",
        "all_clear": "ժամը {time}-ի ահազանգն ավարտված է ({what})։",
    },
    tiny={
        "alert": "ԱՀԱԶԱՆԳ {time}: {terse}",
        "retraction": "ՍԽԱԼ ԱՀԱԶԱՆԳ {time}",
        "all_clear": "ԱՀԱԶԱՆԳԻ ԱՎԱՐՏ {time}",
    },
    near="{place}-ի մոտ",
    nowhere="ձեր տարածքում",
    rights="Իմացեք ձեր իրավունքները՝",
    reply_stop="Դադարեցնելու համար պատասխանեք STOP։",
    short_stop="STOP՝ դադարեցնել",
    keyword="STOP",
    details="Մանրամասներ և ձեր իրավունքները՝",
    unsubscribe="Այս նամակներից հրաժարվելու համար՝",
    why="Դուք ստանում եք սա, քանի որ բաժանորդագրվել եք այս տարածքի ահազանգերին։",
    note="Արձագանքման խմբի նշում՝",
    test="ՓՈՐՁԱՐԿՈՒՄ",
)

FA = Phrasebook(
    code="fa",
    name="فارسی",
    cap="fa-IR",
    events={
        "raid": "یورش مأموران مهاجرت",
        "checkpoint": "ایست بازرسی مهاجرت",
        "arrest": "بازداشت توسط مأموران مهاجرت",
        "patrol": "گشت مأموران مهاجرت",
        "surveillance": "نظارت مأموران مهاجرت",
        "other": "فعالیت مأموران مهاجرت",
    },
    kinds={
        "raid": "یورش مأموران مهاجرت",
        "checkpoint": "ایست بازرسی مهاجرت",
        "arrest": "بازداشت توسط مأموران مهاجرت",
        "patrol": "گشت مأموران مهاجرت",
        "surveillance": "نظارت مأموران مهاجرت",
        "other": "فعالیت مأموران مهاجرت",
    },
    terse={
        "raid": "یورش",
        "checkpoint": "ایست بازرسی",
        "arrest": "بازداشت",
        "patrol": "گشت",
        "surveillance": "نظارت",
        "other": "مأموران",
    },
    titles={"alert": "هشدار", "retraction": "اصلاحیه", "all_clear": "پایان هشدار"},
    full={
        "alert": "{what} {where} در ساعت {time} تأیید شد.",
        "retraction": "هشدار ساعت {time} ({what} {where}) به اشتباه ارسال شد.",
        "all_clear": "هشدار ساعت {time} ({what} {where}) پایان یافت.",
    },
    short={
        "alert": "{event} {where}، {time}.",
        "retraction": "هشدار ساعت {time} ({event}) را نادیده بگیرید.",
        "all_clear": "هشدار ساعت {time} ({event}) پایان یافت.",
    },
    tiny={
        "alert": "هشدار {time}: {terse}",
        "retraction": "هشدار {time} اشتباه بود",
        "all_clear": "پایان هشدار {time}",
    },
    near="نزدیک {place}",
    nowhere="در منطقه شما",
    rights="حقوق خود را بدانید:",
    reply_stop="برای لغو اشتراک STOP را ارسال کنید.",
    short_stop="لغو: STOP",
    keyword="STOP",
    details="جزئیات و حقوق شما:",
    unsubscribe="لغو دریافت این ایمیل‌ها:",
    why="این پیام را دریافت می‌کنید چون برای هشدارهای این منطقه ثبت‌نام کرده‌اید.",
    note="یادداشت تیم واکنش:",
    test="آزمایشی",
    rtl=True,
    digits="۰۱۲۳۴۵۶۷۸۹",
)

RU = Phrasebook(
    code="ru",
    name="Русский",
    cap="ru-RU",
    events={
        "raid": "Иммиграционный рейд",
        "checkpoint": "Иммиграционный блокпост",
        "arrest": "Иммиграционный арест",
        "patrol": "Иммиграционный патруль",
        "surveillance": "Иммиграционная слежка",
        "other": "Действия иммиграционных служб",
    },
    kinds={
        "raid": "иммиграционный рейд",
        "checkpoint": "иммиграционный блокпост",
        "arrest": "иммиграционный арест",
        "patrol": "иммиграционный патруль",
        "surveillance": "иммиграционная слежка",
        "other": "действия иммиграционных служб",
    },
    terse={
        "raid": "рейд",
        "checkpoint": "блокпост",
        "arrest": "арест",
        "patrol": "патруль",
        "surveillance": "слежка",
        "other": "агенты",
    },
    titles={"alert": "ТРЕВОГА", "retraction": "ИСПРАВЛЕНИЕ", "all_clear": "ОТБОЙ"},
    full={
        "alert": "{what} {where} в {time} — подтверждено.",
        "retraction": "тревога от {time} ({what} {where}) отправлена по ошибке.",
        "all_clear": "тревога от {time} ({what} {where}) снята.",
    },
    short={
        "alert": "{event} {where}, {time}.",
        "retraction": "игнорируйте тревогу от {time} ({what}).",
        "all_clear": "тревога от {time} ({what}) снята.",
    },
    tiny={
        "alert": "ТРЕВОГА {time}: {terse}",
        "retraction": "ОТМЕНА тревоги {time}",
        "all_clear": "ОТБОЙ тревоги {time}",
    },
    near="возле {place}",
    nowhere="в вашем районе",
    rights="Знайте свои права:",
    reply_stop="Ответьте STOP, чтобы отписаться.",
    short_stop="STOP - отписка",
    keyword="STOP",
    details="Подробности и ваши права:",
    unsubscribe="Отписаться от писем:",
    why="Вы получили это письмо, потому что подписались на оповещения для этого района.",
    note="Заметка команды реагирования:",
    test="ТЕСТ",
)

JA = Phrasebook(
    code="ja",
    name="日本語",
    cap="ja-JP",
    events={
        "raid": "移民局の強制捜査",
        "checkpoint": "移民局の検問",
        "arrest": "移民局による逮捕",
        "patrol": "移民局のパトロール",
        "surveillance": "移民局の監視",
        "other": "移民局の取り締まり",
    },
    kinds={
        "raid": "移民局の強制捜査",
        "checkpoint": "移民局の検問",
        "arrest": "移民局による逮捕",
        "patrol": "移民局のパトロール",
        "surveillance": "移民局の監視",
        "other": "移民局の取り締まり",
    },
    terse={
        "raid": "強制捜査",
        "checkpoint": "検問",
        "arrest": "逮捕",
        "patrol": "パトロール",
        "surveillance": "監視",
        "other": "取り締まり",
    },
    titles={"alert": "警報", "retraction": "訂正", "all_clear": "警報解除"},
    full={
        "alert": "{time}、{where}で{what}を確認。",
        "retraction": "{time}の警報（{where}の{what}）は誤りでした。",
        "all_clear": "{time}の警報（{where}の{what}）は解除されました。",
    },
    short={
        "alert": "{where}で{event}、{time}。",
        "retraction": "{time}の警報（{event}）は無視してください。",
        "all_clear": "{time}の警報（{event}）は解除。",
    },
    tiny={
        "alert": "警報 {time}：{terse}",
        "retraction": "訂正：{time}の警報は誤り",
        "all_clear": "警報解除：{time}の警報",
    },
    near="{place}付近",
    nowhere="お住まいの地域",
    rights="権利を知る：",
    reply_stop="配信停止はSTOPと返信。",
    short_stop="停止:STOP",
    keyword="STOP",
    details="詳細とあなたの権利：",
    unsubscribe="メール配信停止：",
    why="この地域の警報に登録されているため、このメールをお送りしています。",
    note="対応チームからのメモ：",
    test="テスト",
    colon="：",
)

KM = Phrasebook(
    code="km",
    name="ខ្មែរ",
    cap="km-KH",
    events={
        "raid": "ការឆ្មក់របស់អន្តោប្រវេសន៍",
        "checkpoint": "ប៉ុស្តិ៍ត្រួតពិនិត្យអន្តោប្រវេសន៍",
        "arrest": "ការចាប់ខ្លួនដោយអន្តោប្រវេសន៍",
        "patrol": "ការល្បាតរបស់អន្តោប្រវេសន៍",
        "surveillance": "ការឃ្លាំមើលរបស់អន្តោប្រវេសន៍",
        "other": "សកម្មភាពអន្តោប្រវេសន៍",
    },
    kinds={
        "raid": "ការឆ្មក់របស់អន្តោប្រវេសន៍",
        "checkpoint": "ប៉ុស្តិ៍ត្រួតពិនិត្យអន្តោប្រវេសន៍",
        "arrest": "ការចាប់ខ្លួនដោយអន្តោប្រវេសន៍",
        "patrol": "ការល្បាតរបស់អន្តោប្រវេសន៍",
        "surveillance": "ការឃ្លាំមើលរបស់អន្តោប្រវេសន៍",
        "other": "សកម្មភាពអន្តោប្រវេសន៍",
    },
    terse={
        "raid": "ការឆ្មក់",
        "checkpoint": "ប៉ុស្តិ៍",
        "arrest": "ការចាប់ខ្លួន",
        "patrol": "ការល្បាត",
        "surveillance": "ការឃ្លាំមើល",
        "other": "ភ្នាក់ងារ",
    },
    titles={
        "alert": "ប្រកាសអាសន្ន",
        "retraction": "ការកែតម្រូវ",
        "all_clear": "បញ្ចប់ការប្រកាសអាសន្ន",
    },
    full={
        "alert": "{what} {where} ត្រូវបានបញ្ជាក់ នៅម៉ោង {time}។",
        "retraction": "ការប្រកាសអាសន្ននៅម៉ោង {time} ({what} {where}) ត្រូវបានផ្ញើដោយច្រឡំ។",
        "all_clear": "ការប្រកាសអាសន្ននៅម៉ោង {time} ({what} {where}) បានបញ្ចប់ហើយ។",
    },
    short={
        "alert": "{event} {where} ម៉ោង {time}។",
        "retraction": "សូមមិនអើពើការប្រកាសអាសន្នម៉ោង {time} ({event})។",
        "all_clear": "ការប្រកាសអាសន្នម៉ោង {time} បានបញ្ចប់ ({event})។",
    },
    tiny={
        "alert": "អាសន្ន {time}៖ {terse}",
        "retraction": "ច្រឡំ៖ អាសន្នម៉ោង {time}",
        "all_clear": "ចប់៖ អាសន្នម៉ោង {time}",
    },
    near="នៅជិត {place}",
    nowhere="នៅក្នុងតំបន់របស់អ្នក",
    rights="ស្គាល់សិទ្ធិរបស់អ្នក៖",
    reply_stop="ឆ្លើយតប STOP ដើម្បីឈប់ទទួល។",
    short_stop="ឈប់: STOP",
    keyword="STOP",
    details="ព័ត៌មានលម្អិត និងសិទ្ធិរបស់អ្នក៖",
    unsubscribe="ដើម្បីឈប់ទទួលអ៊ីមែលទាំងនេះ៖",
    why="អ្នកទទួលបានសារនេះ ព្រោះអ្នកបានចុះឈ្មោះទទួលការប្រកាសអាសន្នសម្រាប់តំបន់នេះ។",
    note="កំណត់ចំណាំពីក្រុមឆ្លើយតប៖",
    test="សាកល្បង",
    colon="៖ ",
    digits="០១២៣៤៥៦៧៨៩",
)

BOOKS: dict[str, Phrasebook] = {
    book.code: book for book in (EN, ES, ZH_HANS, ZH_HANT, KO, TL, VI, HY, FA, RU, JA, KM)
}
