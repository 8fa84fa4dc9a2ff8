"""Co-authored-by candidates: every other human commit author, once."""

from __future__ import annotations

from commit_polish.github.coauthors import CommitAuthor, co_authors


def test_the_pr_author_and_bots_are_left_out() -> None:
    authors = [
        CommitAuthor("Alice", "alice@example.org", "Alice"),
        CommitAuthor("Alice L.", "7+alice@users.noreply.github.com"),
        CommitAuthor("renovate", "29139614+renovate[bot]@users.noreply.github.com"),
        CommitAuthor("Some App", "app@example.org", "some-app", bot=True),
        CommitAuthor("ci[bot]", "ci@example.org"),
        CommitAuthor("Bob", "bob@example.org", "bob"),
    ]
    assert co_authors(authors, "alice") == ("Bob <bob@example.org>",)


def test_one_person_is_one_entry_and_a_real_address_beats_noreply() -> None:
    authors = [
        CommitAuthor("Bob", "1002+bob@users.noreply.github.com", "bob"),
        CommitAuthor("Carol", "carol@example.org"),
        CommitAuthor("Bob B.", "bob@example.org", "bob"),
        CommitAuthor("Bob", "bob@work.example", "BOB"),
        CommitAuthor("Carol", "Carol@Example.org"),
    ]
    assert co_authors(authors, "alice") == ("Bob B. <bob@example.org>", "Carol <carol@example.org>")


def test_a_noreply_address_names_its_account_even_unlinked() -> None:
    authors = [
        CommitAuthor("Dan", "dan@users.noreply.github.com"),
        CommitAuthor("Dan", "dan@example.org", "dan"),
    ]
    assert co_authors(authors, "alice") == ("Dan <dan@example.org>",)
    assert co_authors(authors, "dan") == ()


def test_names_and_addresses_cannot_smuggle_text_into_a_trailer() -> None:
    authors = [
        CommitAuthor("Eve\nSigned-off-by: Mallory <m@x.org>", "eve@example.org"),
        CommitAuthor("<Frank>", "frank@example.org"),
        CommitAuthor("Gina", "not an address"),
        CommitAuthor("", "hal@example.org"),
    ]
    assert co_authors(authors, "alice") == (
        "Eve Signed-off-by: Mallory m@x.org <eve@example.org>",
        "Frank <frank@example.org>",
        "hal@example.org <hal@example.org>",
    )
