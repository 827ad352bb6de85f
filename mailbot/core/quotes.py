"""Separate what the sender wrote now from quoted history and signatures.

Almost every registration is a reply that carries the whole invitation below
it, and the invitation names every session: one quoted line leaking into the
"new" text would register someone for a session they never chose (labelling
rule 1). Signatures are kept apart too, because they name portfolios that look
like sessions ("Wethouder Financiën") and may only tell who the sender is
(rule 16). `split_reply` therefore assigns every line of a body text to exactly
one of `new`, `quoted` or `signature`. It recognises ">" quoting at any depth
(keeping answers written between quoted lines as new), reply headers of the
common clients in Dutch, English, German and more ("Op ... schreef ...:",
"Van:/Verzonden:/Aan:/Onderwerp:" blocks, "-----Oorspronkelijk bericht-----",
Lotus Notes and GroupWise headers, Outlook's HTML divider line), signature
openers, mobile footers and municipal disclaimers. Everything after a header
whose original is not ">"-quoted is history. The phrase lists are module-level
tuples so they can later move to rules/ data; the module is pure and never
raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["InlineAnswer", "ReplyParts", "split_reply"]


@dataclass(frozen=True)
class InlineAnswer:
    """An answer written between quoted lines, with the quoted lines above it.

    `context` holds up to CONTEXT_LINES quoted lines just above the answer
    (quote markers removed), so "Ja, deze graag." can be tied to the session
    it answers.
    """

    context: str
    answer: str


@dataclass(frozen=True)
class ReplyParts:
    """One body text split into what is new, what is quoted, and the signature.

    `forwarded` is true when the text starts with a header block (a forward
    without own words, or a pasted message): `new` then holds the body below
    that header, written by the forwarded message's author, not by the sender.
    """

    new: str
    quoted: str
    signature: str
    inline: tuple[InlineAnswer, ...] = ()
    forwarded: bool = False


CONTEXT_LINES = 12
CONTEXT_SCAN = 200  # how far above an inline answer its context is looked for
_MAX_FORWARD_LEVELS = 5

# ---------------------------------------------------------------------------
# phrase lists (lower case; the lead may move these into rules/ data files)

#: Verbs that end a reply attribution line ("Op ... schreef X:", "On ... wrote:").
ATTRIBUTION_VERBS: tuple[str, ...] = (
    "schreef", "het volgende geschreven", "geschreven", "wrote", "writes", "schrieb",
    "geschrieben", "a écrit", "escribió", "escreveu", "ha scritto", "scrisse", "skrev",
    "kirjoitti", "napisał", "napisał(a)", "napisała", "pisze", "написал", "написал(а)",
    "написала", "пишет", "написав", "пише", "写道", "寫道", "wrote on",
)

#: Words that open an attribution line ("Op 2 nov. 2017 om 09:30 schreef ...").
ATTRIBUTION_OPENERS: tuple[str, ...] = (
    "op", "on", "am", "le", "el", "il", "em", "den", "dnia", "w dniu", "på", "pe", "at",
)

#: Lines that announce an unindented original or forwarded message.
FORWARD_MARKERS: tuple[str, ...] = (
    "oorspronkelijk bericht", "origineel bericht", "oorspronkelijke bericht",
    "doorgestuurd bericht", "begin doorgestuurd bericht", "doorgestuurde bericht",
    "original message", "forwarded message", "begin forwarded message", "original email message",
    "original email", "forwarded email", "reply message", "ursprüngliche nachricht",
    "ursprungliche nachricht", "original nachricht", "weitergeleitete nachricht", "anfang der weitergeleiteten nachricht",
    "message d'origine", "message transféré", "début du message réexpédié",
    "début du message transféré", "mensaje original", "mensaje reenviado", "messaggio originale",
    "messaggio inoltrato", "inizio messaggio inoltrato", "oprindelig meddelelse",
    "videresendt meddelelse", "ursprungligt meddelande", "vidarebefordrat meddelande",
    "opprinnelig melding", "videresendt melding", "wiadomość oryginalna",
    "wiadomość przekazana dalej", "исходное сообщение", "пересылаемое сообщение",
)

#: Header labels of quoted header blocks, by kind.
HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "from": ("van", "from", "von", "от кого", "de", "da", "od", "fra", "från", "fr", "от", "від",
             "afzender", "absender", "expéditeur", "remitente", "mittente", "发件人", "差出人"),
    "date": ("verzonden", "verstuurd", "sent", "gesendet", "datum", "date", "data", "envoyé",
             "enviado", "enviada", "inviato", "wysłano", "sendt", "skickat", "отправлено", "дата",
             "fecha", "日期", "发送时间", "送信日時", "gesendet am"),
    "to": ("aan", "to", "an", "à", "a", "para", "do", "til", "till", "кому", "收件人", "宛先",
           "destinatario", "empfänger"),
    "cc": ("cc", "kopie", "bcc", "copie", "kopia", "копия", "抄送"),
    "subject": ("onderwerp", "subject", "betreff", "objet", "asunto", "oggetto", "temat", "emne",
                "ämne", "тема", "主题", "件名", "assunto", "betrifft", "sujet"),
    "reply": ("reply-to", "antwoord aan", "antwort an", "risposta", "répondre à"),
}

#: Lotus Notes puts these labels alone on a line (name and date above them).
NOTES_LABELS: dict[str, tuple[str, ...]] = {
    "to": ("aan", "to", "an"),
    "cc": ("cc", "kopie", "bcc", "blindcopy"),
    "subject": ("onderwerp", "subject", "betreff"),
    "date": ("datum", "date"),
}

#: Closing phrases that open a signature when they stand on their own line
#: (optionally followed by a name: "Groet, Esther Meijer").
VALEDICTIONS: tuple[str, ...] = (
    "met vriendelijke groet", "met vriendelijke groeten", "met een vriendelijke groet",
    "vriendelijke groet", "vriendelijke groeten", "vriendelijk groet", "met hartelijke groet",
    "hartelijke groet", "hartelijke groeten", "hartelijk gegroet", "met collegiale groet",
    "collegiale groet", "met groet", "met groeten", "beste groet", "beste groeten", "warme groet",
    "hartelijke groet en tot dan", "groet", "groeten", "groetjes", "gr", "gr.", "grt", "mvg",
    "m.v.g.", "m.vr.gr.", "mvgr", "vr.gr.", "vrgr", "vr. gr.", "hoogachtend", "met dank en groet",
    "dank en groet", "kind regards", "best regards", "warm regards", "kindest regards",
    "regards", "best wishes", "all the best", "yours sincerely", "sincerely", "yours faithfully",
    "cheers", "best", "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße",
    "freundliche grüsse", "mit freundlichem gruß", "mit freundlichem gruss", "freundlicher gruß",
    "herzliche grüße", "herzliche grüsse", "herzlichen gruß", "schöne grüße", "beste grüsse",
    "liebe grüsse", "viele grüße", "viele grüsse", "beste grüße", "liebe grüße", "gruß",
    "grüße", "mfg", "lg", "cordialement", "bien à vous", "bien cordialement", "saludos",
    "un saludo", "cordiali saluti", "distinti saluti", "med vänliga hälsningar", "vänliga hälsningar",
    "med venlig hilsen", "venlig hilsen", "kærlig hilsen", "kh", "mvh", "hilsen", "med vennlig hilsen", "pozdrawiam",
    "z poważaniem", "z powazaniem", "с уважением", "viele grüße / best regards",
)

#: Thanks-lines close a message only when nothing but a short name follows.
THANKS: tuple[str, ...] = (
    "thanks", "thank you", "many thanks", "thanks again", "thx", "bedankt", "alvast bedankt",
    "dank", "dank je", "dank je wel", "dank u", "dank u wel", "hartelijk dank", "danke",
    "vielen dank", "merci",
)

#: Footers that phones and mail apps add ("Verzonden vanaf mijn iPhone").
MOBILE_FOOTERS: tuple[str, ...] = (
    r"(verzonden|verstuurd|gestuurd|sent|gesendet|envoyé|enviado|inviato|skickat|sendt|wysłane)"
    r"\s+(vanaf|vanuit|van|met|via|from|with|von|mit|de|depuis|desde|da|från|fra|z)\s+[^,]{1,60}",
    r"von meine[mn]\s+[^,]{1,40}\s+gesendet\.?",
    r"diese nachricht wurde von meinem .{1,60} gesendet\.?",
    r"(get|download)\s+outlook\s+for\s+(ios|android).*",
    r"outlook\s+voor\s+(ios|android)\s+downloaden.*",
    r"\(?sent from (a|my) (phone|mobile( device)?)\)?",
    r"verzonden met .{1,30}",
)

#: Openings of disclaimers and other boilerplate below a signature.
DISCLAIMERS: tuple[str, ...] = (
    "de informatie verzonden met dit e-mailbericht", "de informatie verzonden in dit e-mailbericht",
    "de informatie in dit e-mailbericht", "dit e-mailbericht is uitsluitend bestemd",
    "dit e-mailbericht is alleen bestemd", "dit e-mailbericht en eventuele bijlagen",
    "dit e-mailbericht kan vertrouwelijke informatie", "dit bericht is uitsluitend bestemd",
    "dit bericht kan informatie bevatten", "dit bericht is alleen bestemd",
    "deze e-mail is uitsluitend bestemd", "deze e-mail en eventuele bijlagen",
    "deze e-mail kan vertrouwelijke informatie", "aan dit bericht kunnen geen rechten",
    "aan deze e-mail kunnen geen rechten", "denk aan het milieu", "disclaimer",
    "the information contained in this e-mail", "the information contained in this email",
    "the information contained in this communication", "the information in this e-mail",
    "the information in this email", "this e-mail and any attachments",
    "this email and any attachments", "this e-mail message and any attachments",
    "this email message and any attachments", "this message may contain",
    "this message (including any attachments)", "this e-mail may contain",
    "this email may contain", "this message w/attachments", "confidentiality notice",
    "please consider the environment", "diese e-mail enthält vertrauliche",
    "diese nachricht enthält vertrauliche", "der inhalt dieser e-mail",
    "bitte denken sie an die umwelt", "geschäftsführung/management board",
)

#: A line that starts a postscript brings the text after a signature back.
POSTSCRIPT = re.compile(r"^\s*(p\.?\s?s\.?|pps|n\.?b\.?)(\s|:|$)", re.I)

# ---------------------------------------------------------------------------
# compiled patterns

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u00ad]")
_QUOTED = re.compile(r"^[ \t]*>")
_GROUPWISE = re.compile(r"^\s*>>>\s*\S.*(>>>|\d{1,2}[:.]\d{2}(\s*[ap]\.?m\.?)?)\s*$", re.I)
_DIVIDER = re.compile(r"^\s*[*>]?\s*([-_=~\u2014\u2013\u2500]\s?){5,}\s*\*?\s*$")
_EMAILISH = re.compile(r"@|mailto:", re.I)
_DATEISH = re.compile(r"\d{1,4}[-./]\d{1,2}|\d{1,2}:\d{2}|\d{1,2}\s*[a-zé]{3,}\.?\s*\d{2,4}|\b(19|20)\d{2}\b", re.I)
_VERB = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(v) for v in sorted(ATTRIBUTION_VERBS, key=len, reverse=True))
    + r")(?!\w)",
    re.I,
)
_ADDRESS_END = re.compile(r"<\s*[^<>\s]+@[^<>\s]+\s*>\s*[:：]$")
_OPENER = re.compile(
    r"^\W{0,3}(" + "|".join(re.escape(o) for o in ATTRIBUTION_OPENERS) + r")\b", re.I)
_GENERIC_ATTRIBUTION = re.compile(  # "2016-10-24 15:36 GMT+02:00 Foo <foo@bar>:", Japanese clients
    r"^\s*\d{1,4}[-./年]\s?\d{1,2}[-./月]?.{0,120}<\s*[^<>\s]+@[^<>\s]+\s*>\s*[:：]\s*$")


def _label_pattern(labels: tuple[str, ...]) -> str:
    return "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True))


_HEADER_LINE = re.compile(
    r"^\s*[*_]{0,2}\s*(?P<label>" + _label_pattern(tuple(x for xs in HEADER_LABELS.values() for x in xs))
    + r")\s*[*_]{0,2}\s*(?:[:：]|\s\|)\s*[*_]{0,2}(?:\s|\||$)",
    re.I,
)
_LABEL_KIND = {label: kind for kind, labels in HEADER_LABELS.items() for label in labels}
_NOTES_KIND = {label: kind for kind, labels in NOTES_LABELS.items() for label in labels}
_FORWARD_SET = frozenset(FORWARD_MARKERS)
_VALEDICTION_SET = frozenset(VALEDICTIONS)
_THANKS_SET = frozenset(THANKS)
_CLOSING_PHRASES = tuple(sorted(_VALEDICTION_SET | _THANKS_SET, key=len, reverse=True))
_MOBILE = re.compile(r"^\W{0,2}(" + "|".join(MOBILE_FOOTERS) + r")\W{0,3}$", re.I)
_DISCLAIMER = re.compile(r"^\W{0,3}(" + "|".join(re.escape(d) for d in DISCLAIMERS) + r")", re.I)
_SIG_DELIMITER = re.compile(r"^(--|-- |\u2014|\u2013|—-)\s*$")
_DASH_NAME = re.compile(r"^[-\u2014\u2013~/]{1,2}(?=\S)[A-Z\u00c0-\u024f][\w.'-]*(\s[A-Z\u00c0-\u024f][\w.'-]*){0,3}$")
_NAMEISH = re.compile(r"^[A-Z\u00c0-\u024f][\w.'’-]*(\s+([A-Z\u00c0-\u024f]|van|de|der|den|het|ter|ten|te|v\.?d\.?|op|in|la|le|von|zu)[\w.'’-]*){0,5}$")
_BULLET = re.compile(r"^\s*([-*\u2022\u2013\u2014o]|\d+[.)])\s")


# ---------------------------------------------------------------------------
# public API


def split_reply(text: str) -> ReplyParts:
    """Split a body text into new text, quoted history and signature.

    Every input line ends up in exactly one of the three parts (line endings
    normalised to "\\n", trailing blanks removed). Never raises.
    """
    try:
        return _split(text if isinstance(text, str) else str(text or ""))
    except Exception:  # pragma: no cover - last line of defence
        # Unknown structure: claim nothing as new (rule 1), keep everything readable.
        return ReplyParts(new="", quoted=_join(str(text or "").split("\n")), signature="")


# ---------------------------------------------------------------------------
# the split


def _split(text: str) -> ReplyParts:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    norm = [_INVISIBLE.sub("", line).replace("\u00a0", " ") for line in lines]
    n = len(lines)
    quoted = [bool(_QUOTED.match(x)) and not _GROUPWISE.match(x) for x in norm]
    for i in range(1, n):
        # a quoted line cut by a leftover quoted-printable soft break ("=")
        if not quoted[i] and quoted[i - 1] and norm[i - 1].endswith("=") and norm[i].strip():
            quoted[i] = True
    role = ["new"] * n  # "new" | "quoted" | "sig"

    start = 0
    forwarded = False
    for _level in range(_MAX_FORWARD_LEVELS + 1):
        cut, header_end, attributions = _scan(norm, quoted, start)
        for i in attributions:
            role[i] = "quoted"
        has_own_text = _has_own_text(norm, quoted, attributions, start, cut)
        if cut < n and not has_own_text and header_end is not None and _level < _MAX_FORWARD_LEVELS:
            # The text opens with a header: a forward without own words (or a
            # pasted message). Its body counts as new, flagged as forwarded.
            for i in range(cut, header_end):
                role[i] = "quoted"
            for i in range(start, cut):
                if quoted[i]:
                    role[i] = "quoted"
            forwarded = True
            start = header_end
            continue
        for i in range(cut, n):
            role[i] = "quoted"
        for i in range(start, cut):
            if quoted[i]:
                role[i] = "quoted"
        break

    segments = _segments(role, norm)
    for seg in segments:
        _mark_signature(seg, norm, role)
    previous = None
    for i in range(n):  # lines of only invisible characters go with the line above
        if norm[i].strip():
            previous = role[i]
        elif lines[i].strip() and previous is not None:
            role[i] = previous

    new_lines: list[str] = []
    sig_lines: list[str] = []
    quoted_lines: list[str] = []
    targets = {"new": new_lines, "sig": sig_lines, "quoted": quoted_lines}
    last_index, last_role = -1, None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        r = role[i]
        target = targets[r]
        # a gap or a switch between parts becomes one blank line in the part
        if target and target[-1] != "" and (i - last_index > 1 or last_role != r):
            target.append("")
        target.append(line)
        last_index, last_role = i, r
    inline = _inline_answers(segments, lines, norm, role, quoted)
    return ReplyParts(
        new=_join(new_lines),
        quoted=_join(quoted_lines),
        signature=_join(sig_lines),
        inline=tuple(inline),
        forwarded=forwarded,
    )


def _inline_answers(segments: list[list[int]], lines: list[str], norm: list[str], role: list[str],
                    quoted: list[bool]) -> list[InlineAnswer]:
    """New text written below quoted lines, with those quoted lines as context."""
    answers: list[InlineAnswer] = []
    for seg in segments:
        picked: list[str] = []
        last = None
        for i in seg:
            if role[i] == "new" and lines[i].strip():
                if last is not None and i - last > 1:
                    picked.append("")
                picked.append(lines[i])
                last = i
        answer = _join(picked)
        if not answer:
            continue
        context: list[str] = []
        for i in range(seg[0] - 1, max(-1, seg[0] - 1 - CONTEXT_SCAN), -1):
            if role[i] == "new" and norm[i].strip():
                break
            if quoted[i] and role[i] == "quoted":
                content = norm[i].lstrip(" \t").lstrip(">").strip()
                if content:
                    context.append(content)
                    if len(context) >= CONTEXT_LINES:
                        break
        if context:
            answers.append(InlineAnswer(context="\n".join(reversed(context)), answer=answer))
    return answers


def _has_own_text(norm: list[str], quoted: list[bool], attributions: set[int], start: int, cut: int) -> bool:
    """Did the sender write anything above the cut?

    A bare "-- " signature or a phone footer is not writing (a forward from a
    phone); a closing formula ("Groet, Jan") is: that is a reply, even if short.
    """
    content = [norm[i].strip() for i in range(start, cut)
               if norm[i].strip() and not quoted[i] and i not in attributions]
    if not content:
        return False
    return not (_SIG_DELIMITER.match(content[0]) or _MOBILE.match(content[0]))


def _join(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def _scan(norm: list[str], quoted: list[bool], start: int) -> tuple[int, int | None, set[int]]:
    """Find where the unindented history starts.

    Returns (cut, end of the header that starts the history or None,
    attribution lines above ">"-quoted blocks).
    """
    n = len(norm)
    attributions: set[int] = set()
    i = start
    while i < n:
        line = norm[i]
        if quoted[i] or not line.strip():
            i += 1
            continue
        if _GROUPWISE.match(line):
            return i, i + 1, attributions
        if _is_forward_marker(line):
            end = i + 1
            below = _next_nonblank(norm, end)
            block = _header_block(norm, below, after_divider=True) if below is not None else None
            if block is not None:
                end = block
            return i, end, attributions
        k = _attribution(norm, i)
        if k:
            nxt = _next_nonblank(norm, i + k)
            if nxt is None or quoted[nxt]:
                attributions.update(range(i, i + k))
                i += k
                continue
            return _extend_up(norm, quoted, i, start), i + k, attributions
        prev = _prev_nonblank(norm, i)
        after_divider = prev is not None and prev >= start and bool(_DIVIDER.match(norm[prev]))
        block_end = _header_block(norm, i, after_divider=after_divider)
        if block_end is not None:
            first = i
            if _header_kind(line) != "from" and i - 1 >= start and _is_sender_line(norm[i - 1]):
                first = i - 1  # Notes: "Ferd Crone/G32" above "Aan:/Datum:/Onderwerp:"
            return _extend_up(norm, quoted, first, start), block_end, attributions
        notes = _notes_block(norm, i)
        if notes is not None:
            first, end = notes
            first = max(first, start)
            return _extend_up(norm, quoted, first, start), end, attributions
        i += 1
    return n, None, attributions


def _is_sender_line(line: str) -> bool:
    """A bare name or address line, as Lotus Notes puts above its header labels."""
    core = line.strip()
    if not core or len(core.split()) > 8 or re.search(r"[.!?:;,]$", core) or _QUOTED.match(core):
        return False
    return bool(_EMAILISH.search(core) or "/" in core or _NAMEISH.match(core))


def _extend_up(norm: list[str], quoted: list[bool], cut: int, start: int) -> int:
    """Include a divider line (or forward marker) just above a header."""
    prev = _prev_nonblank(norm, cut)
    if prev is not None and prev >= start and not quoted[prev] and cut - prev <= 3:
        if _DIVIDER.match(norm[prev]) or _is_forward_marker(norm[prev]):
            return prev
    return cut


def _next_nonblank(norm: list[str], i: int) -> int | None:
    while i < len(norm):
        if norm[i].strip():
            return i
        i += 1
    return None


def _prev_nonblank(norm: list[str], i: int) -> int | None:
    i -= 1
    while i >= 0:
        if norm[i].strip():
            return i
        i -= 1
    return None


def _is_forward_marker(line: str) -> bool:
    core = line.strip().strip("*_ ").strip()
    decorated = bool(re.match(r"^[-_=~\s]{2,}|.*[-_=]{2,}\s*$", core)) or core.endswith(":")
    phrase = re.sub(r"^[-_=~\s]+|[-_=~\s:]+$", "", core).strip().lower()
    if phrase not in _FORWARD_SET:
        return False
    return decorated or phrase.startswith(("begin", "anfang", "début", "inizio"))


def _attribution(norm: list[str], i: int, _probe_next: bool = True) -> int:
    """Number of lines (1-3) of a reply attribution starting at line i, or 0."""
    first = norm[i].strip()
    if len(first) > 300:
        return 0
    window: list[str] = []
    for k in range(3):
        j = i + k
        if j >= len(norm) or not norm[j].strip():
            break
        if k > 0:
            # a wrapped attribution starts like one and has no sentence end inside
            if re.search(r"[.!?]$", window[-1]) and not re.search(r"\d[.]$|\b\w{1,4}\.$", window[-1]):
                break
            if not (_OPENER.match(first) or first[:1].isdigit() or _EMAILISH.search(first) or "<" in first
                    or _DATEISH.search(first)):
                break
        window.append(norm[j].strip())
        joined = _join_wrapped(window)
        if len(joined) > 400:
            break
        if _is_attribution(joined, first_line=first):
            nxt = norm[i + 1].strip() if i + 1 < len(norm) else ""
            if k > 0 and _probe_next and (_OPENER.match(nxt) or nxt[:1].isdigit()) \
                    and _attribution(norm, i + 1, _probe_next=False):
                return 0  # it starts on the next line; this one is the sender's own text
            return k + 1
    return 0


def _join_wrapped(window: list[str]) -> str:
    joined = ""
    for part in window:
        if joined.endswith("="):  # quoted-printable soft break left in the text
            joined = joined[:-1] + part
        elif joined:
            joined += " " + part
        else:
            joined = part
    return re.sub(r"^[-\s]+|[-\s]+$", "", joined)


def _is_attribution(joined: str, first_line: str) -> bool:
    """Is this (joined) line a reply attribution such as "Op ... schreef X:"?"""
    if _GENERIC_ATTRIBUTION.match(joined):
        return True
    if _ADDRESS_END.search(joined) and _DATEISH.search(joined) and len(joined) < 200:
        return True  # "Thu, 26 Jun 2014 14:00:51 +0400 от Alexander L <abc@example.com>:"
    verbs = list(_VERB.finditer(joined))
    if not verbs:
        return False
    ends_colon = joined.endswith((":", "："))
    ends_verb = joined.lower().endswith(verbs[-1].group(1).lower())
    email = bool(_EMAILISH.search(joined))
    date = bool(_DATEISH.search(joined))
    if _OPENER.match(joined) and (date or email):
        return ends_colon or ends_verb
    if not ends_colon:
        return False
    if email:
        return True
    # no address: the verb must close the line ("... 2014 г. пользователь lidel написал:")
    return date and len(joined) - verbs[-1].end() <= 6


def _header_kind(line: str) -> str | None:
    m = _HEADER_LINE.match(line)
    if not m:
        return None
    return _LABEL_KIND.get(m.group("label").lower())


def _header_block(norm: list[str], i: int, after_divider: bool = False) -> int | None:
    """End (exclusive) of a "Van:/Verzonden:/Aan:/Onderwerp:" block at line i."""
    if i >= len(norm):
        return None
    kind = _header_kind(norm[i])
    if kind is None:
        return None
    kinds = [kind]
    j = i + 1
    last = i
    gap = 0
    while j < len(norm) and j - i < 16:
        line = norm[j]
        if not line.strip():
            break
        k = _header_kind(line)
        if k is not None:
            kinds.append(k)
            last = j
            gap = 0
        else:
            gap += 1
            if gap > 2:
                break
        j += 1
    distinct = set(kinds)
    strong = len(distinct) >= 3 and ("from" in distinct or "subject" in distinct)
    weak = len(distinct) >= 2 and "from" in distinct and after_divider
    if not (strong or weak):
        return None
    end = last + 1
    # wrapped subject lines directly below the last label belong to the header
    while end < len(norm) and norm[end].strip() and end - last <= 2 and _header_kind(norm[end]) is None \
            and kinds[-1] == "subject" and len(norm[end].split()) <= 8:
        end += 1
    return end


def _notes_block(norm: list[str], i: int) -> tuple[int, int] | None:
    """Lotus Notes header: labels alone on their lines ("Aan", "Onderwerp")."""
    label = norm[i].strip().rstrip(":").lower()
    if label not in _NOTES_KIND:
        return None
    kinds = {_NOTES_KIND[label]}
    last = i
    for j in range(i + 1, min(len(norm), i + 12)):
        cand = norm[j].strip().rstrip(":").lower()
        if cand in _NOTES_KIND:
            kinds.add(_NOTES_KIND[cand])
            last = j
    if len(kinds) < 2 or "subject" not in kinds:
        return None
    end = _next_nonblank(norm, last + 1)
    end = (end + 1) if end is not None else len(norm)
    first = i
    seen = 0
    j = i - 1
    while j >= 0 and seen < 3:
        line = norm[j].strip()
        if not line:
            j -= 1
            continue
        if _EMAILISH.search(line) or _DATEISH.search(line):
            first = j
            seen += 1
            j -= 1
            continue
        break
    return first, end


# ---------------------------------------------------------------------------
# signatures


def _segments(role: list[str], norm: list[str]) -> list[list[int]]:
    """Runs of new lines, split wherever quoted text comes in between."""
    segments: list[list[int]] = []
    current: list[int] = []
    for i, r in enumerate(role):
        if r == "new":
            current.append(i)
        elif norm[i].strip():
            if any(norm[j].strip() for j in current):
                segments.append(current)
            current = []
    if any(norm[j].strip() for j in current):
        segments.append(current)
    return segments


def _mark_signature(seg: list[int], norm: list[str], role: list[str]) -> None:
    content = [i for i in seg if norm[i].strip()]
    if not content:
        return
    sig_start = None
    for pos, i in enumerate(content):
        line = norm[i].strip()
        if _starts_signature(line, content[pos + 1:], norm, first=(pos == 0), prev=norm[content[pos - 1]] if pos else ""):
            sig_start = pos
            break
    if sig_start is None:
        return
    in_ps = False
    for i in content[sig_start:]:
        line = norm[i].strip()
        if POSTSCRIPT.match(line):
            in_ps = True
        elif in_ps and (_MOBILE.match(line) or _DISCLAIMER.match(line) or _SIG_DELIMITER.match(line)):
            in_ps = False
        role[i] = "new" if in_ps else "sig"
    next_role = None  # blank lines inside the signature belong to it
    for i in reversed(seg):
        if norm[i].strip():
            next_role = role[i]
        elif i > content[sig_start] and next_role == "sig":
            role[i] = "sig"


def _starts_signature(line: str, rest: list[int], norm: list[str], first: bool, prev: str) -> bool:
    if _SIG_DELIMITER.match(line):
        return True
    if _MOBILE.match(line):
        return True
    if _DISCLAIMER.match(line):
        return True
    key = _valediction_key(line)
    if key is not None:
        phrase, tail = key
        if phrase in _VALEDICTION_SET:
            if not tail:
                return True
            return (bool(_NAMEISH.match(tail)) and len(tail.split()) <= 5) or bool(re.fullmatch(r"[^\W\d_]+", tail))
        if phrase in _THANKS_SET and not tail and not first:
            after = [norm[i].strip() for i in rest[:5]]
            return len(rest) <= 4 and all(len(a.split()) <= 6 for a in after)
        return False
    if _DASH_NAME.match(line) and not _BULLET.match(prev):
        return len(rest) <= 6
    if not first and _NAMEISH.match(line) and len(line.split()) <= 4:
        # a bare name with at most a short line or two (role, city) and then a PS:
        # the name closes the message, the PS below it is new text again
        after = [norm[i].strip() for i in rest[:4]]
        ps = next((k for k, a in enumerate(after) if POSTSCRIPT.match(a)), None)
        return ps is not None and all(len(a.split()) <= 8 and not a.endswith((".", "?", "!", ":"))
                                      for a in after[:ps])
    return False


def _valediction_key(line: str) -> tuple[str, str] | None:
    """Split "Met vriendelijke groet, Jan" into ("met vriendelijke groet", "Jan")."""
    core = line.strip().strip("*_").strip()
    if not core or len(core) > 80:
        return None
    low = core.lower()
    for phrase in _CLOSING_PHRASES:
        if low.startswith(phrase):
            tail = core[len(phrase):]
            if tail and tail[0].isalnum() and not phrase.endswith("."):
                continue  # "Groeten" is not "Groet"+"en", "Beste Jan" is not "Best"
            tail = tail.strip()
            tail = re.sub(r"^[,.!;:\-–—]+", "", tail).strip()
            tail = re.sub(r"[,.!]+$", "", tail).strip()
            return phrase, tail
    return None
