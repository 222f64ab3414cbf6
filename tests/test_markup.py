"""Markdown safety and glossary linking."""

from __future__ import annotations

import pytest

from sitegen.markup import MarkupIssue, TermLink, TermLinker, find_raw_html, nested_quotations, render_markdown

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(1)"></svg>',
    "<a href='javascript:alert(1)'>x</a>",
    "<iframe src=//evil.example>",
    "<!-- <script>alert(1)</script> -->",
    "<div><p onclick=alert(1)>x",
]


@pytest.mark.parametrize("payload", XSS)
def test_raw_html_is_refused_and_never_passed_through(payload: str) -> None:
    html, issues = render_markdown(f"Text {payload} more", "/")
    assert issues, "raw HTML must be reported"
    for tag in ("<script", "<img", "<svg", "<iframe", "<div", "<!--"):
        assert tag not in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>",
                                 "vbscript:x", " javascript:alert(1)", "javascript&colon;alert(1)",
                                 "javascript&#58;alert(1)", "javascript&#x3a;alert(1)", "//evil.example/x.png",
                                 "/\\evil.example", "mailto:jane.doe%40example.com", "MAILTO:x"])
def test_unsafe_link_schemes_are_refused(url: str) -> None:
    html, issues = render_markdown(f"[click]({url})", "/")
    assert issues and "scheme or form" in issues[-1].message
    assert 'href="#"' in html


@pytest.mark.parametrize(("text", "where"), [
    ("Write to jane.doe&commat;example.com today.", (1, 10)),
    ("Hello.\n\nOr write to jane.doe@*example*.com.", (3, 13)),
    ("Or `jane.doe`&#64;example.com, or jane.doe&#x40;example.com.", (1, 5)),
    ("![jane.doe&#64;example.com](/static/x.png) and [here](/a/ \"jane.doe&#64;example.org\")", (1, 3)),
])
def test_contact_details_are_found_as_a_reader_would_see_them(text: str, where: tuple[int, int]) -> None:
    """The raw text's own check misses an address that Markdown puts together from entities or emphasis."""
    _html, issues = render_markdown(text, "/")
    assert [(issue.line, issue.column) for issue in issues][:1] == [where]
    assert 'looks like contact details' in issues[0].message


def test_a_text_of_too_many_lines_is_refused_before_it_is_converted() -> None:
    """Python-Markdown takes time growing with the square of the lines for headings underlined with =."""
    html, issues = render_markdown("We go on.\n=\n" * 201, "/")
    assert html == "" and [issue.message for issue in issues] == [
        "the text has 402 lines, over the limit of 400; split it or shorten it"]
    assert render_markdown("We go on.\n=\n" * 200, "/")[1] == []


def test_site_links_get_the_base_path() -> None:
    html, issues = render_markdown("[About](/about/) and [ext](https://example.org/)", "/REPO/")
    assert issues == []
    assert 'href="/REPO/about/"' in html and 'href="https://example.org/"' in html


def test_code_may_show_html() -> None:
    assert find_raw_html("Use `<b>` or\n\n```\n<div>\n```\n") == []


def test_terms_link_once_and_never_inside_links_or_headings() -> None:
    linker = TermLinker([TermLink("family help", "/g/#fh", "family help"), TermLink("DfE", "/g/#dfe", "DfE")])
    html = linker.link("<h2>family help</h2><p>Family help and family help; <a href='x'>DfE</a> dfe DfE</p>")
    assert html.count('href="/g/#fh"') == 1
    assert "<h2>family help</h2>" in html
    assert '<a class="term" href="/g/#fh" title="family help">Family help</a>' in html
    assert html.count('href="/g/#dfe"') == 1 and "dfe DfE" not in html  # acronyms match case-sensitively


def test_a_glossary_term_never_splits_an_entity() -> None:
    """A term "amp" must not turn &amp; into &<a>amp</a>; (broken text), nor &quot; or &#39; likewise."""
    linker = TermLinker([TermLink("amp", "/g/#amp", "Amp"), TermLink("quot", "/g/#quot", "Quot")])
    linked = linker.link("Salt &amp; pepper, &quot;quoted&quot; &#39;x&#x27; then amp and quot")
    assert linked == ('Salt &amp; pepper, &quot;quoted&quot; &#39;x&#x27; then <a class="term" href="/g/#amp"'
                      ' title="Amp">amp</a> and <a class="term" href="/g/#quot" title="Quot">quot</a>')


@pytest.mark.parametrize("src", ["https://evil.example/pixel.png", "http://evil.example/x.gif",
                                 "HTTPS://evil.example/x.png", "https://evil.example/x.png \"title\""])
def test_off_site_images_are_refused_where_written(src: str) -> None:
    html, issues = render_markdown(f"Intro.\n\nSee ![a chart]({src}) here.", "/")
    assert [(issue.line, issue.column) for issue in issues] == [(3, 16)]
    assert issues[0].message.lower().startswith("image 'http") and "is on another site" in issues[0].message
    assert "evil.example" not in html


def test_the_site_s_own_images_are_kept_and_addresses_read_from_the_page_refused() -> None:
    """A relative address is read from each page's own: "chart.svg" on /about/ is /about/chart.svg."""
    html, issues = render_markdown("![a chart](/static/chart.svg) ![b](chart.svg) [c](#top)", "/REPO/")
    assert 'src="/REPO/static/chart.svg"' in html and 'href="#top"' in html
    assert issues == [MarkupIssue(1, 36, "link 'chart.svg' would be read from the address of each page it is on;"
                                         " start a link to this site with / and one to another site with https://,"
                                         " such as /chart.svg")]


def test_a_term_shown_twice_on_a_page_has_one_button_and_popover_and_both_links() -> None:
    """The definition is shown in place with the HTML popover attribute, from one button where the term
    is first linked on the page: a text shown twice (a table and the print section) gives no duplicate
    id, and a term in every row of a list no crowd of buttons; the link to the entry stays each time."""
    from sitegen.markup import TermLink, TermLinker, place_definitions

    term = TermLink("family help", "/glossary/#family-help", "family help", "family-help", "Support <for> families.")
    linker = TermLinker([term])
    text = linker.link("We explain family help here.")
    page = place_definitions(f"<p>{text}</p><p>{text}</p>", {"family-help": term})
    assert page.count('popovertarget="def-family-help"') == 2  # the "?" and the popover's Close
    assert page.count('popovertargetaction="hide"') == 1
    assert page.count('id="def-family-help" popover') == 1
    assert page.count('<a class="term" href="/glossary/#family-help"') == 2
    assert page.index("term-info") < page.index("def-family-help\" popover") < page.rindex('class="term"')
    assert '<span class="term-pair"><a class="term"' in page and page.count("term-pair") == 1
    assert "Support &lt;for&gt; families." in page and "<!--def:" not in page
    link = '<a class="term" href="/glossary/#family-help" title="family help">family help</a>'
    assert page.endswith(f"<p>We explain {link} here.</p>")
    printed = place_definitions(f"<p>{text}</p>", None)  # the print page, which holds the glossary itself
    assert printed == f"<p>We explain {link} here.</p>"
    assert place_definitions(str(TermLinker([TermLink("family help", "/g/", "family help")]).link("family help")),
                             {}) == '<a class="term" href="/g/" title="family help">family help</a>'


def test_a_page_holds_at_most_definitions_per_page_characters_of_definitions() -> None:
    """A page naming thousands of terms, each defined in up to 5,000 characters, was tens of megabytes
    (a pull request's glossary): past DEFINITIONS_PER_PAGE, a term keeps its link and has no button."""
    from sitegen.markup import DEFINITIONS_PER_PAGE, TermLink, TermLinker, place_definitions

    definition = "A definition. " * 350
    fit = DEFINITIONS_PER_PAGE // (len(definition) + len("term00"))
    terms = {f"t{n}": TermLink(f"term{n:02}", f"/glossary/#t{n}", f"term{n:02}", f"t{n}", definition)
             for n in range(fit + 20)}
    text = " ".join(f"term{n:02}." for n in range(fit + 20))
    page = place_definitions(str(TermLinker(terms.values()).link(text)), terms)
    assert page.count(" popover ") == fit == page.count('class="term-info"')
    assert page.count('<a class="term" ') == fit + 20
    assert f'id="def-t{fit - 1}" popover' in page and f"def-t{fit}" not in page
    assert len(page) < DEFINITIONS_PER_PAGE + (fit + 20) * 1_000


def test_a_text_links_at_most_terms_per_text_terms() -> None:
    """A definition naming a thousand other terms put a thousand links on every page that showed it
    (S3): past TERMS_PER_TEXT, a term's words are left plain; a term named twice counts once."""
    from sitegen.markup import TERMS_PER_TEXT, TermLink, TermLinker

    linker = TermLinker([TermLink(f"word{n:03}", f"/glossary/#w{n}", f"word{n:03}", f"w{n}") for n in range(200)])
    text = "word000 " + " ".join(f"word{n:03}" for n in range(200))
    html = str(linker.link(text))
    assert html.count('<a class="term" ') == TERMS_PER_TEXT
    assert f'href="/glossary/#w{TERMS_PER_TEXT - 1}"' in html and f" word{TERMS_PER_TEXT:03} " in html
    own = str(linker.link(text, frozenset({"/glossary/#w0"})))
    assert own.count('<a class="term" ') == TERMS_PER_TEXT and 'href="/glossary/#w0"' not in own


@pytest.mark.parametrize(("words", "shown"), [
    ("a plan to “fix” care and “transform” it", "a plan to <q>fix</q> care and <q>transform</q> it"),
    ("It said they would “have the skills", "It said they would <q>have the skills</q>"),  # cut off at the end
    ("the worst of all worlds,” says Munro", "<q>the worst of all worlds,</q> says Munro"),  # and at the start
    ("up to 12 ‘families first’ areas", "up to 12 ‘families first’ areas"),  # already the inner marks
    ("“one” and “two and “three", "<q>one</q> and “two and “three"),  # which is cut off is not clear: as written
])
def test_a_quotation_s_own_quotations_are_nested(words: str, shown: str) -> None:
    assert nested_quotations(words) == shown



def test_a_quotation_keeps_its_term_links_as_links_without_buttons() -> None:
    """re.sub on Markup escapes what it joins: the buttons are taken out of a plain str."""
    from sitegen.markup import TermLink, TermLinker, without_buttons

    term = TermLink("care leaver", "/g/#cl", "Care leaver", "cl", "A young person.")
    linked = TermLinker([term]).link("a care leaver")
    assert without_buttons(linked) == 'a <a class="term" href="/g/#cl" title="Care leaver">care leaver</a>'
