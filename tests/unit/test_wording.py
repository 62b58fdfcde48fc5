"""No threats before the 14-day letter, in any of the five languages, paraphrases included; help
is not mistaken for a threat; and every language's readability is measured its own way."""

from __future__ import annotations

from pathlib import Path

import pytest

from herinnering.config import load_settings
from herinnering.domain.reminders.wording import (
    Lexicon,
    Phrase,
    dutch_syllables,
    readability,
    threats,
    words_of,
)
from herinnering.errors import ConfigError
from herinnering.resources import templates_dir
from herinnering.services.reminders.wording_check import check_text, check_wording, rules_for

SETTINGS = load_settings(environ={})

# (language, threat line, category expected among the findings). At least 15 per language.
THREATS = [
    ("nl", "Wij starten een gerechtelijke procedure.", "legal"),
    ("nl", "Wij zullen juridische maatregelen nemen.", "legal"),
    ("nl", "Wij gaan naar de kantonrechter.", "court"),
    ("nl", "U krijgt een dagvaarding van ons.", "court"),
    ("nl", "Dan sturen wij de gerechtsdeurwaarder.", "bailiff"),
    ("nl", "Er volgt een ontruiming van uw woning.", "eviction"),
    ("nl", "Dan wordt u uit uw huis gezet.", "eviction"),
    ("nl", "Straks raakt u uw huis kwijt.", "home_loss"),
    ("nl", "U kunt uw woning verliezen.", "home_loss"),
    ("nl", "Wij zeggen uw huurcontract op.", "lease_end"),
    ("nl", "Wij vragen ontbinding van de huurovereenkomst.", "lease_end"),
    ("nl", "Uw dossier wordt overgedragen.", "handover"),
    ("nl", "Wij geven de zaak uit handen.", "handover"),
    ("nl", "Wij schakelen een incassobureau in.", "collection_agency"),
    ("nl", "Daarbovenop komen administratiekosten.", "costs"),
    ("nl", "U betaalt dan een boete.", "costs"),
    ("nl", "Wij berekenen de wettelijke rente.", "interest"),
    ("nl", "Wij melden u aan bij het BKR.", "credit_registration"),
    ("nl", "Dit is de allerlaatste kans.", "final_warning"),
    ("nl", "Wij leggen loonbeslag.", "seizure"),
    ("en", "We will start legal proceedings.", "legal"),
    ("en", "Our solicitor will contact you.", "legal"),
    ("en", "The matter will go to court.", "court"),
    ("en", "An enforcement agent will call.", "bailiff"),
    ("en", "You may be evicted.", "eviction"),
    ("en", "You risk losing your flat.", "home_loss"),
    ("en", "We will terminate your tenancy.", "lease_end"),
    ("en", "Your case will be handed over to others.", "handover"),
    ("en", "A debt recovery agency will write to you.", "collection_agency"),
    ("en", "A late payment fee applies.", "costs"),
    ("en", "We will add a surcharge.", "costs"),
    ("en", "Statutory interest is charged.", "interest"),
    ("en", "This may harm your credit rating.", "credit_registration"),
    ("en", "This is the last reminder before further steps.", "final_warning"),
    ("en", "Your wages could be garnished.", "seizure"),
    ("tr", "Hakkınızda yasal takip başlatılacak.", "legal"),
    ("tr", "Avukatımız sizinle iletişime geçecek.", "legal"),
    ("tr", "Konu mahkemeye taşınacak.", "court"),
    ("tr", "Dava açmak zorunda kalacağız.", "court"),
    ("tr", "İcra dairesine başvuracağız.", "bailiff"),
    ("tr", "Tahliye işlemi başlayacak.", "eviction"),
    ("tr", "Evinizden çıkarılabilirsiniz.", "eviction"),
    ("tr", "Konutunuzu kaybedebilirsiniz.", "home_loss"),
    ("tr", "Sözleşmeniz feshedilecek.", "lease_end"),
    ("tr", "Borcunuz başka bir şirkete devredilecek.", "handover"),
    ("tr", "Tahsilat şirketi sizi arayacak.", "collection_agency"),
    ("tr", "Gecikme cezası ödeyeceksiniz.", "costs"),
    ("tr", "Ek ücret alınacaktır.", "costs"),
    ("tr", "Gecikme faizi işleyecek.", "interest"),
    ("tr", "Kredi sicilinize işlenecek.", "credit_registration"),
    ("tr", "Size son ihtarımızı gönderiyoruz.", "final_warning"),
    ("tr", "Maaşınıza haciz gelebilir.", "seizure"),
    ("tr", "Odemezseniz icra takibi ve haciz baslar.", "seizure"),  # written without ö ü ı ş
    ("ar", "سنبدأ إجراءات قضائية ضدك.", "legal"),
    ("ar", "سيتواصل معك محامينا.", "legal"),
    ("ar", "سنرفع الأمر إلى المحكمة.", "court"),
    ("ar", "سنقيم دعوى عليك.", "court"),
    ("ar", "سيأتي المحضر إلى بيتك.", "bailiff"),
    ("ar", "سيتم إخلاء الشقة.", "eviction"),
    ("ar", "قد يتم طردكم.", "eviction"),
    ("ar", "ستفقد مسكنك.", "home_loss"),
    ("ar", "سنلغي عقد الإيجار.", "lease_end"),
    ("ar", "سنحيل ديونك إلى جهة أخرى.", "handover"),
    ("ar", "ستتولى شركة تحصيل الأمر.", "collection_agency"),
    ("ar", "ستدفع غرامة تأخير.", "costs"),
    ("ar", "ستضاف رسوم إدارية.", "costs"),
    ("ar", "ستحسب فوائد التأخير.", "interest"),
    ("ar", "سيتأثر سجلك الائتماني.", "credit_registration"),
    ("ar", "هذا تحذير نهائي.", "final_warning"),
    ("ar", "سنطلب الحجز على راتبك.", "seizure"),
    ("pl", "Rozpoczniemy postępowanie sądowe.", "legal"),
    ("pl", "Sprawą zajmie się nasz prawnik.", "legal"),
    ("pl", "Skierujemy pozew.", "legal"),
    ("pl", "Sąd wyda nakaz zapłaty.", "court"),
    ("pl", "Sprawę przejmie komornik.", "bailiff"),
    ("pl", "Grozi Panu eksmisja.", "eviction"),
    ("pl", "Może Pani utracić lokal.", "home_loss"),
    ("pl", "Wypowiemy umowę najmu.", "lease_end"),
    ("pl", "Dług zostanie przekazany dalej.", "handover"),
    ("pl", "Zajmie się tym firma windykacyjna.", "collection_agency"),
    ("pl", "Doliczymy dodatkowe opłaty.", "costs"),
    ("pl", "Zapłaci Pan karę umowną.", "costs"),
    ("pl", "Naliczamy odsetki.", "interest"),
    ("pl", "Wpiszemy Pana do BIK.", "credit_registration"),
    ("pl", "To ostateczne wezwanie do zapłaty.", "final_warning"),
    ("pl", "Dojdzie do zajęcia wynagrodzenia.", "seizure"),
]

# Help that must not be mistaken for a threat. At least 10 per language.
HELP = [
    ("nl", "De gemeente helpt zonder kosten."),
    ("nl", "Het gesprek kost u niets."),
    ("nl", "Hoe hoog zijn uw woonkosten?"),
    ("nl", "Schuldhulp van de gemeente is gratis."),
    ("nl", "Samen maken we een betalingsregeling."),
    ("nl", "De schuldhulpverlener bewaakt uw beslagvrije voet."),
    ("nl", "Hulp is kosteloos."),
    ("nl", "Er komen geen kosten bij."),
    ("nl", "Wij geven uw gegevens alleen door als u dat wilt."),
    ("nl", "Uw energiekosten zijn hoog? Bel ons."),
    ("nl", "Wij schrijven de huur op maandag af."),
    ("en", "Debt help from the municipality costs nothing."),
    ("en", "Help is free of charge."),
    ("en", "Are your housing costs too high?"),
    ("en", "There is no charge for this."),
    ("en", "It will not cost you anything."),
    ("en", "The cost of living is high for many people."),
    ("en", "We can make a payment plan together."),
    ("en", "Free debt advice is available."),
    ("en", "Call us, we are happy to help."),
    ("en", "Your energy costs went up? Let us talk."),
    ("tr", "Belediye ücretsiz yardım eder."),
    ("tr", "Bu hizmet için hiçbir ücret ödemezsiniz."),
    ("tr", "Borç danışmanlığı ücretsizdir."),
    ("tr", "Birlikte bir ödeme planı yapabiliriz."),
    ("tr", "Yasal haklarınızı size anlatırız."),
    ("tr", "Hukuki destek de alabilirsiniz."),
    ("tr", "Kiranızı pazartesi günü hesabınızdan çekeceğiz."),
    ("tr", "Bizi arayın, birlikte bir çözüm bulalım."),
    ("tr", "Borç yardımı için belediyeye başvurabilirsiniz."),
    ("tr", "Masrafsız olarak destek alırsınız."),
    ("ar", "تقدم البلدية المساعدة مجاناً."),
    ("ar", "هذه الخدمة بدون تكلفة."),
    ("ar", "المساعدة دون مقابل."),
    ("ar", "هل تكاليف السكن مرتفعة؟"),
    ("ar", "يمكنك الحصول على مشورة قانونية مجانية."),
    ("ar", "لا رسوم على هذه المساعدة."),
    ("ar", "اتصل بنا لنجد حلاً معاً."),
    ("ar", "يمكننا الاتفاق على خطة دفع."),
    ("ar", "سنخصم الإيجار يوم الاثنين."),
    ("ar", "تكاليف المعيشة مرتفعة على كثير من الناس."),
    ("pl", "Gmina pomaga bezpłatnie."),
    ("pl", "Porada nic nie kosztuje."),
    ("pl", "Pomoc jest za darmo."),
    ("pl", "Koszty utrzymania są wysokie?"),
    ("pl", "Możemy rozłożyć kwotę na raty."),
    ("pl", "Poradnia dla dłużników pomaga bez opłat."),
    ("pl", "Zadzwoń do nas, razem znajdziemy rozwiązanie."),
    ("pl", "Pobierzemy czynsz w poniedziałek."),
    ("pl", "Zajmiemy się tym od razu."),
    ("pl", "Pomoc prawna jest bezpłatna."),
]


@pytest.mark.parametrize(("language", "text", "category"), THREATS)
def test_threats_and_their_paraphrases_are_found(language: str, text: str, category: str) -> None:
    found = threats(text, rules_for(language, SETTINGS).lexicon)
    assert category in {t.category for t in found}, found


@pytest.mark.parametrize(("language", "text"), HELP)
def test_help_is_not_mistaken_for_a_threat(language: str, text: str) -> None:
    assert threats(text, rules_for(language, SETTINGS).lexicon) == []


def test_every_language_has_at_least_15_threats_and_10_help_phrases_in_these_tests() -> None:
    for language in ("nl", "en", "tr", "ar", "pl"):
        assert sum(1 for t in THREATS if t[0] == language) >= 15
        assert sum(1 for h in HELP if h[0] == language) >= 10


def test_a_threat_says_which_phrase_matched_and_why() -> None:
    [threat] = threats("Anders komt de deurwaarder.", rules_for("nl", SETTINGS).lexicon)
    assert (threat.category, threat.phrase, threat.words) == ("bailiff", "*deurwaarder*", "deurwaarder")
    assert "deurwaarder" in threat.why and "deurwaarder" in str(threat)


def test_phrases_respect_word_boundaries_and_gaps() -> None:
    lexicon = Lexicon.build("en", {"costs": ["fee|fees"], "home_loss": ["lose … home"]}, [])
    assert threats("Feel free to call.", lexicon) == []               # "feel" is no fee
    assert [t.category for t in threats("You could lose your nice home", lexicon)] == ["home_loss"]
    assert threats("lose your very nice new home", lexicon) == []    # four words apart: too far
    with pytest.raises(ValueError, match="starts and ends"):
        Phrase.parse("… home")


def test_words_are_compared_without_case_accents_or_arabic_letter_variants() -> None:
    assert words_of("Zajęcie ÜCRET İcra") == ["zajecie", "ucret", "icra"]
    assert words_of("إخلاء") == words_of("اخلاء")
    assert words_of("غرامة") == words_of("غرامه")


def test_the_public_check_refuses_a_threat_before_the_14_day_letter_and_only_warns_after() -> None:
    before = check_text("Betaal vandaag, anders komt de deurwaarder.", "nl", SETTINGS)
    assert before.refused and not before.ok and "deurwaarder" in before.problems[0]
    after = check_text("Betaal vandaag, anders komt de deurwaarder.", "nl", SETTINGS, fourteen_day_letter_sent=True)
    assert not after.refused and after.threats
    letter = check_text("Betaalt u niet op tijd? Dan zijn de incassokosten € 40,00.", "nl", SETTINGS,
                        kind="veertiendagenbrief")
    assert not letter.refused
    kind = check_text("Dank voor uw bericht. Ik bel u morgen.", "tr", SETTINGS)
    assert kind.ok and kind.threats == ()


def test_a_broken_lexicon_stops_with_the_file_named(tmp_path: Path) -> None:
    (tmp_path / "wording").mkdir()
    (tmp_path / "wording" / "nl.toml").write_text('[threats]\nrumours = ["x"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="nl.toml.*rumours"):
        rules_for("nl", SETTINGS, tmp_path)


@pytest.mark.parametrize(("word", "syllables"), [
    ("huur", 1), ("betalen", 3), ("gemeente", 3), ("schuldhulpverlening", 5), ("vrijdag", 2),
    ("geïnteresseerd", 5), ("ruïne", 3), ("a", 1),
])
def test_dutch_syllables(word: str, syllables: int) -> None:
    assert dutch_syllables(word) == syllables


def test_flesch_douma_of_a_plain_and_a_dense_text() -> None:
    plain = readability("Wij hebben uw huur nog niet. Bel ons. Dan zoeken we samen een oplossing.")
    assert (plain.sentences, plain.words) == (3, 14)
    assert plain.flesch_douma == pytest.approx(206.835 - 0.93 * 14 / 3 - 77 * plain.syllables / 14)
    dense = readability("Indien betaling van de verschuldigde huurpenningen achterwege blijft, zal de verhuurder "
                        "genoodzaakt zijn invorderingsmaatregelen overeenkomstig de toepasselijke bepalingen te treffen.")
    assert plain.flesch_douma > 60 > dense.flesch_douma and dense.level == "C1 or harder"


@pytest.mark.parametrize(("language", "plain", "dense"), [
    ("en", "We will take the rent on Monday. Is that hard? Call us. We can help.",
     "Notwithstanding contractual obligations, remittance of outstanding liabilities necessitates immediate "
     "regularisation irrespective of circumstances."),
    ("tr", "Kiranızı pazartesi çekeceğiz. Zor mu? Bizi arayın. Size yardım ederiz.",
     "Sözleşmeden kaynaklanan yükümlülüklerinizin yerine getirilmemesi durumunda değerlendirilmesi gereken "
     "seçeneklerin belirlenmesi amacıyla başvurunuz beklenmektedir."),
    ("pl", "Czynsz pobierzemy w poniedziałek. Czy to dla Pana trudne? Proszę do nas zadzwonić. Razem coś znajdziemy.",
     "Nieuregulowanie zobowiązań wynikających z obowiązującej umowy skutkuje koniecznością "
     "przeprowadzenia szczegółowej weryfikacji dokumentacji rozliczeniowej najemcy niezwłocznie."),
    ("ar", "سنخصم الإيجار يوم الاثنين. هل هذا صعب؟ اتصل بنا. نحن نساعدك.",
     "نظراً لعدم التزامكم بالسداد في المواعيد المحددة وفقاً لشروط العقد المبرم بيننا فإننا نطلب منكم "
     "المبادرة بتسوية المستحقات المتراكمة عليكم في أقرب وقت ممكن دون أي تأخير إضافي"),
])
def test_each_language_is_measured_its_own_way(language: str, plain: str, dense: str) -> None:
    limits = rules_for(language, SETTINGS).limits
    assert limits.problems(readability(plain, language)) == []
    assert limits.problems(readability(dense, language)) != []


def write(directory: Path, language: str, name: str, text: str) -> None:
    path = directory / "messages" / language / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_pre_debit_reminder_that_threatens_fails_in_dutch_and_in_turkish(tmp_path: Path) -> None:
    write(tmp_path, "nl", "pre_debit.sms.j2", "Hallo {{ name }}, betaal op tijd, anders komt de deurwaarder.")
    write(tmp_path, "tr", "pre_debit.sms.j2", "Merhaba {{ name }}, zamaninda odeyin, yoksa icra memuru gelir.")
    write(tmp_path, "en", "pre_debit.sms.j2", "Hello {{ name }}, we will take the rent on {{ debit_date }}.")
    write(tmp_path, "nl", "veertiendagenbrief.letter.j2", "Betaalt u niet? Dan zijn de kosten {{ costs }}.")
    results = {(r.language, r.kind): r for r in check_wording(tmp_path, SETTINGS)}
    assert "deurwaarder" in (results["nl", "pre_debit"].problem or "")
    assert "icra" in (results["tr", "pre_debit"].problem or "")
    assert results["en", "pre_debit"].problem is None
    assert results["nl", "veertiendagenbrief"].problem is None  # the 14-day letter may name the costs


def test_letters_under_templates_letters_are_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "letters" / "pl" / "written_reminder.j2"
    path.parent.mkdir(parents=True)
    path.write_text("Dzień dobry, inaczej sprawa trafi do komornika.", encoding="utf-8")
    [result] = check_wording(tmp_path, SETTINGS)
    assert (result.language, result.kind, result.channel) == ("pl", "written_reminder", "letter")
    assert "komornik" in (result.problem or "")


def test_a_dense_dutch_text_fails_the_readability_bar(tmp_path: Path) -> None:
    write(tmp_path, "nl", "pre_debit.sms.j2", "Indien betaling van de verschuldigde huurpenningen achterwege "
          "blijft, zal de verhuurder genoodzaakt zijn invorderingsmaatregelen te overwegen.")
    [result] = check_wording(tmp_path, SETTINGS)
    assert result.problem is not None and "Flesch-Douma" in result.problem


def test_the_shipped_templates_and_letters_raise_no_false_alarm() -> None:
    problems = [(r.language, r.kind, r.channel, r.problem)
                for r in check_wording(templates_dir(), SETTINGS) if r.problem]
    assert problems == []
