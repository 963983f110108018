# The translations hold full-width colons and commas on purpose.
# ruff: noqa: RUF001
"""The sentences of messages to a detained person's family, in the family's language.

Like the alert phrasebook (vecinos/alerts/phrases.py), these are data rather than
gettext catalogues: the interface speaks two languages while families speak the
twelve languages of the alerts. Ten have their sentences here; Armenian and Khmer
wait for a native speaker's wording and get English meanwhile (``book``).
tests/cases/test_cases_phrases.py checks that every book has every sentence with the
same placeholders.

Placeholders: ``{ref}`` the case reference (never a name), ``{kind}`` hearing or
check-in, ``{date}`` and ``{time}`` in the family's time zone, ``{place}``, ``{facility}``.
A family update is one of ``UPDATES`` plus, optionally, the case worker's own note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

UPDATES = (
    "searching",
    "located",
    "referred",
    "represented",
    "bond_requested",
    "released",
    "transferred",
    "call_us",
)


@dataclass(frozen=True)
class Book:
    code: str
    name: str
    signature: str  # "Vecinos, case {ref}:"
    kinds: Mapping[str, str]  # hearing kind → as it reads in a sentence
    week: str  # the reminder a week before
    day: str  # the reminder a day before
    at_place: str  # " at {place}" (empty place: left out)
    updates: Mapping[str, str]
    note: str  # label before the case worker's note
    subject: str  # email subject


EN = Book(
    code="en",
    name="English",
    signature="Vecinos, case {ref}:",
    kinds={"hearing": "court hearing", "check_in": "ICE check-in"},
    week="Reminder: {kind} on {date} at {time}{place}. Bring any papers you have.",
    day="Tomorrow: {kind} at {time}{place}. Call us if you need someone to go with you.",
    at_place=", {place}",
    updates={
        "searching": "We are still looking for where your family member is held. "
        "We will write as soon as we know.",
        "located": "We have found where your family member is held: {facility}.",
        "referred": "We have asked a legal-aid organization to take the case.",
        "represented": "A lawyer now represents your family member.",
        "bond_requested": "A bond has been requested. We will tell you when there is an answer.",
        "released": "Your family member has been released.",
        "transferred": "Your family member has been moved to another place. "
        "We are finding out where.",
        "call_us": "Please call the hotline when you can.",
    },
    note="Note from your case worker:",
    subject="News about your case {ref}",
)

ES = Book(
    code="es",
    name="Español",
    signature="Vecinos, caso {ref}:",
    kinds={"hearing": "audiencia en la corte", "check_in": "cita de control con ICE"},
    week="Recordatorio: {kind} el {date} a las {time}{place}. Traiga los papeles que tenga.",
    day="Mañana: {kind} a las {time}{place}. Llámenos si necesita que alguien le acompañe.",
    at_place=", {place}",
    updates={
        "searching": "Seguimos buscando dónde está detenido su familiar. "
        "Le escribiremos en cuanto lo sepamos.",
        "located": "Encontramos dónde está detenido su familiar: {facility}.",
        "referred": "Pedimos a una organización de ayuda legal que tome el caso.",
        "represented": "Un abogado ya representa a su familiar.",
        "bond_requested": "Se solicitó una fianza. Le avisaremos cuando haya respuesta.",
        "released": "Su familiar fue puesto en libertad.",
        "transferred": "Su familiar fue trasladado a otro lugar. Estamos averiguando adónde.",
        "call_us": "Por favor, llame a la línea de ayuda cuando pueda.",
    },
    note="Nota de su trabajador de caso:",
    subject="Noticias sobre su caso {ref}",
)

ZH_HANS = Book(
    code="zh-hans",
    name="简体中文",
    signature="Vecinos，案件 {ref}：",
    kinds={"hearing": "法庭听证", "check_in": "ICE 报到"},
    week="提醒：{date} {time} 有{kind}{place}。请带上您所有的文件。",
    day="明天 {time} 有{kind}{place}。如需有人陪同，请联系我们。",
    at_place="，地点：{place}",
    updates={
        "searching": "我们仍在查找您的家人被关押的地点。一有消息就会通知您。",
        "located": "我们已找到您的家人被关押的地点：{facility}。",
        "referred": "我们已请一家法律援助机构接手此案。",
        "represented": "现在已有律师代理您的家人。",
        "bond_requested": "已申请保释金。有答复时我们会通知您。",
        "released": "您的家人已获释放。",
        "transferred": "您的家人已被转移到别处。我们正在查明地点。",
        "call_us": "方便时请致电求助热线。",
    },
    note="个案工作者留言：",
    subject="关于您的案件 {ref} 的消息",
)

ZH_HANT = Book(
    code="zh-hant",
    name="繁體中文",
    signature="Vecinos，案件 {ref}：",
    kinds={"hearing": "法庭聽證", "check_in": "ICE 報到"},
    week="提醒：{date} {time} 有{kind}{place}。請帶上您所有的文件。",
    day="明天 {time} 有{kind}{place}。如需有人陪同，請聯絡我們。",
    at_place="，地點：{place}",
    updates={
        "searching": "我們仍在查找您的家人被關押的地點。一有消息就會通知您。",
        "located": "我們已找到您的家人被關押的地點：{facility}。",
        "referred": "我們已請一家法律援助機構接手此案。",
        "represented": "現在已有律師代理您的家人。",
        "bond_requested": "已申請保釋金。有答覆時我們會通知您。",
        "released": "您的家人已獲釋放。",
        "transferred": "您的家人已被轉移到別處。我們正在查明地點。",
        "call_us": "方便時請致電求助熱線。",
    },
    note="個案工作者留言：",
    subject="關於您的案件 {ref} 的消息",
)

KO = Book(
    code="ko",
    name="한국어",
    signature="Vecinos, 사건 {ref}:",
    kinds={"hearing": "법원 심리", "check_in": "ICE 출석 확인"},
    week="알림: {date} {time}에 {kind}{place}이(가) 있습니다. 가지고 있는 서류를 모두 가져오세요.",
    day="내일 {time}에 {kind}{place}이(가) 있습니다. 동행이 필요하면 연락 주세요.",
    at_place=", 장소: {place}",
    updates={
        "searching": "가족분이 어디에 구금되어 있는지 아직 찾고 있습니다. "
        "알게 되는 대로 연락드리겠습니다.",
        "located": "가족분이 구금된 곳을 찾았습니다: {facility}.",
        "referred": "법률 지원 단체에 사건을 맡아 달라고 요청했습니다.",
        "represented": "이제 변호사가 가족분을 대리합니다.",
        "bond_requested": "보석을 신청했습니다. 답변이 오면 알려 드리겠습니다.",
        "released": "가족분이 석방되었습니다.",
        "transferred": "가족분이 다른 곳으로 이송되었습니다. 어디인지 확인하고 있습니다.",
        "call_us": "가능할 때 핫라인으로 전화해 주세요.",
    },
    note="담당자 메모:",
    subject="사건 {ref} 소식",
)

TL = Book(
    code="tl",
    name="Tagalog",
    signature="Vecinos, kaso {ref}:",
    kinds={"hearing": "pagdinig sa korte", "check_in": "check-in sa ICE"},
    week="Paalala: {kind} sa {date} nang {time}{place}. Dalhin ang lahat ng papeles ninyo.",
    day="Bukas: {kind} nang {time}{place}. Tawagan kami kung kailangan ninyo ng kasama.",
    at_place=", sa {place}",
    updates={
        "searching": "Hinahanap pa namin kung saan nakakulong ang inyong kapamilya. "
        "Sasabihan namin kayo agad.",
        "located": "Nahanap na namin kung saan nakakulong ang inyong kapamilya: {facility}.",
        "referred": "Hiniling namin sa isang organisasyong legal na hawakan ang kaso.",
        "represented": "May abogado na ang inyong kapamilya.",
        "bond_requested": "Humiling na ng piyansa. Sasabihan namin kayo kapag may sagot.",
        "released": "Pinalaya na ang inyong kapamilya.",
        "transferred": "Inilipat sa ibang lugar ang inyong kapamilya. Inaalam namin kung saan.",
        "call_us": "Pakitawagan ang hotline kapag kaya ninyo.",
    },
    note="Tala mula sa inyong case worker:",
    subject="Balita tungkol sa inyong kaso {ref}",
)

VI = Book(
    code="vi",
    name="Tiếng Việt",
    signature="Vecinos, hồ sơ {ref}:",
    kinds={"hearing": "phiên tòa", "check_in": "buổi trình diện ICE"},
    week="Nhắc nhở: {kind} ngày {date} lúc {time}{place}. Hãy mang theo mọi giấy tờ quý vị có.",
    day="Ngày mai: {kind} lúc {time}{place}. Gọi cho chúng tôi nếu cần người đi cùng.",
    at_place=", tại {place}",
    updates={
        "searching": "Chúng tôi vẫn đang tìm nơi người thân của quý vị bị giam. "
        "Chúng tôi sẽ báo ngay khi biết.",
        "located": "Chúng tôi đã tìm ra nơi người thân của quý vị bị giam: {facility}.",
        "referred": "Chúng tôi đã nhờ một tổ chức trợ giúp pháp lý nhận hồ sơ.",
        "represented": "Người thân của quý vị hiện đã có luật sư đại diện.",
        "bond_requested": "Đã xin tiền bảo lãnh. Chúng tôi sẽ báo khi có trả lời.",
        "released": "Người thân của quý vị đã được thả.",
        "transferred": "Người thân của quý vị đã bị chuyển đi nơi khác. "
        "Chúng tôi đang tìm hiểu nơi nào.",
        "call_us": "Vui lòng gọi đường dây hỗ trợ khi có thể.",
    },
    note="Ghi chú của nhân viên phụ trách:",
    subject="Tin tức về hồ sơ {ref} của quý vị",
)

FA = Book(
    code="fa",
    name="فارسی",
    signature="Vecinos، پرونده {ref}:",
    kinds={"hearing": "جلسه دادگاه", "check_in": "حضور در ICE"},
    week="یادآوری: {kind} در تاریخ {date} ساعت {time}{place}. "
    "همه مدارکی را که دارید همراه بیاورید.",
    day="فردا: {kind} ساعت {time}{place}. اگر کسی را برای همراهی لازم دارید با ما تماس بگیرید.",
    at_place="، در {place}",
    updates={
        "searching": "هنوز در حال پیدا کردن محل بازداشت عضو خانواده شما هستیم. "
        "به محض اطلاع به شما خبر می‌دهیم.",
        "located": "محل بازداشت عضو خانواده شما را پیدا کردیم: {facility}.",
        "referred": "از یک سازمان کمک حقوقی خواستیم پرونده را بپذیرد.",
        "represented": "اکنون یک وکیل نماینده عضو خانواده شماست.",
        "bond_requested": "درخواست وثیقه داده شده است. وقتی پاسخ بیاید به شما خبر می‌دهیم.",
        "released": "عضو خانواده شما آزاد شد.",
        "transferred": "عضو خانواده شما به جای دیگری منتقل شد. در حال پیدا کردن آن هستیم.",
        "call_us": "لطفاً هر وقت توانستید با خط کمک تماس بگیرید.",
    },
    note="یادداشت مددکار پرونده:",
    subject="خبری درباره پرونده {ref} شما",
)

RU = Book(
    code="ru",
    name="Русский",
    signature="Vecinos, дело {ref}:",
    kinds={"hearing": "судебное слушание", "check_in": "явка в ICE"},
    week="Напоминание: {kind} {date} в {time}{place}. "
    "Возьмите с собой все документы, которые у вас есть.",
    day="Завтра: {kind} в {time}{place}. Позвоните нам, если нужно, чтобы кто-то пошёл с вами.",
    at_place=", {place}",
    updates={
        "searching": "Мы всё ещё выясняем, где содержится ваш родственник. "
        "Сообщим, как только узнаем.",
        "located": "Мы нашли, где содержится ваш родственник: {facility}.",
        "referred": "Мы попросили организацию юридической помощи взять дело.",
        "represented": "Теперь вашего родственника представляет адвокат.",
        "bond_requested": "Подано ходатайство о залоге. Сообщим, когда будет ответ.",
        "released": "Ваш родственник освобождён.",
        "transferred": "Вашего родственника перевели в другое место. Мы выясняем, куда.",
        "call_us": "Пожалуйста, позвоните на горячую линию, когда сможете.",
    },
    note="Заметка вашего куратора дела:",
    subject="Новости по вашему делу {ref}",
)

JA = Book(
    code="ja",
    name="日本語",
    signature="Vecinos、ケース {ref}：",
    kinds={"hearing": "裁判所の審理", "check_in": "ICEへの出頭"},
    week="お知らせ：{date} {time}に{kind}があります{place}。お持ちの書類をすべてご持参ください。",
    day="明日 {time}に{kind}があります{place}。付き添いが必要な場合はご連絡ください。",
    at_place="（場所：{place}）",
    updates={
        "searching": "ご家族が拘束されている場所をまだ探しています。わかり次第お知らせします。",
        "located": "ご家族が拘束されている場所がわかりました：{facility}。",
        "referred": "法律支援団体にこのケースを依頼しました。",
        "represented": "ご家族に弁護士がつきました。",
        "bond_requested": "保釈を申請しました。回答があり次第お知らせします。",
        "released": "ご家族が釈放されました。",
        "transferred": "ご家族は別の場所に移送されました。移送先を確認しています。",
        "call_us": "ご都合のよいときにホットラインにお電話ください。",
    },
    note="担当者からのメモ：",
    subject="ケース {ref} についてのお知らせ",
)

BOOKS: dict[str, Book] = {
    book.code: book for book in (EN, ES, ZH_HANS, ZH_HANT, KO, TL, VI, FA, RU, JA)
}


def book(language: str) -> Book:
    """The family's language, or English when it has no sentences yet."""
    return BOOKS.get(language) or BOOKS.get(language.split("-")[0]) or EN
