"""Company profiles: safe loading, validation, and one message per problem, all at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from modelfit import Profile, ProfileError, load_profile
from modelfit.inputs.profile import FIELDS, MAX_PROFILE_BYTES, check_company_id

from .conftest import PARAMS, VALID_TEXT

WriteProfile = Callable[..., Path]

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


# --- what loads ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(PARAMS.glob("*.yaml")), ids=lambda p: p.stem)
def test_bundled_example_profiles_load(path: Path) -> None:
    """Every example profile in params/ is valid and takes its company id from the file stem."""
    profile = load_profile(path)
    assert profile.company_id == path.stem


def test_optional_fields_take_their_documented_defaults(write_profile: WriteProfile) -> None:
    """Leaving every optional field out is never an error; each gets its documented default."""
    profile = load_profile(write_profile(VALID_TEXT))
    fields = profile.fields()
    for spec in FIELDS:
        if spec.default is not None:
            assert fields[spec.name] == spec.default, spec.name


def test_profile_records_source_hash(write_profile: WriteProfile) -> None:
    """The profile carries the sha256 of the bytes it was read from (the run record)."""
    import hashlib

    path = write_profile(VALID_TEXT)
    assert load_profile(path).source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_yml_suffix_is_refused_with_a_hint(write_profile: WriteProfile) -> None:
    """Issue 13, 10: validate refuses .yml as report and batch do (they read <id>.yaml)."""
    with pytest.raises(ProfileError, match=r"acme\.yml: a profile must be a \.yaml file, got "
                       r"'\.yml'; rename it to \.yaml"):
        load_profile(write_profile(VALID_TEXT, "acme.yml"))


def test_profile_of_exactly_the_size_limit_loads(write_profile: WriteProfile) -> None:
    """A file of exactly MAX_PROFILE_BYTES is allowed (the limit is inclusive)."""
    pad = MAX_PROFILE_BYTES - len(VALID_TEXT.encode()) - 2
    path = write_profile(VALID_TEXT + "#" + "x" * pad + "\n")
    assert path.stat().st_size == MAX_PROFILE_BYTES
    assert load_profile(path).company == "Acme Trading"


def test_profile_is_frozen(write_profile: WriteProfile) -> None:
    """A validated profile cannot be changed afterwards."""
    profile = load_profile(write_profile(VALID_TEXT))
    with pytest.raises(ValueError, match="frozen"):
        profile.capital = 5  # type: ignore[misc]


# --- bad files ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("", r"acme\.yaml: the file is empty; a profile needs at least company",
                     id="empty"),
        pytest.param("  \n\n\t\n", r"the file is empty", id="whitespace"),
        pytest.param("# only a comment\n  # another\n", r"the file is empty", id="comments"),
        pytest.param("---\n", r"the file is empty", id="document-marker"),
        pytest.param("~\n", r"the file is empty", id="null"),
        pytest.param("- company\n- stage\n",
                     r"a profile must be a mapping of field: value, got a list", id="list"),
        pytest.param("just some text\n",
                     r"a profile must be a mapping of field: value, got the text 'just some text'",
                     id="scalar-text"),
        pytest.param("42\n", r"a profile must be a mapping of field: value, got int 42",
                     id="scalar-int"),
        pytest.param("company: [unclosed\n", r"acme\.yaml: .*\(line \d+, column \d+\)",
                     id="syntax-error"),
    ],
)
def test_bad_file_is_refused(write_profile: WriteProfile, content: str, message: str) -> None:
    """Empty files, non-mappings and broken YAML are refused with a message naming the file."""
    with pytest.raises(ProfileError, match=message):
        load_profile(write_profile(content))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b"company: Caf\xe9\n", r"not UTF-8 text \(byte 0xe9 at offset 12\); save the "
                     r"file as UTF-8", id="latin-1"),
        pytest.param("company: x\n".encode("utf-16"), r"not UTF-8 text \(byte 0xff at offset 0\)",
                     id="utf-16"),
        pytest.param(b"\xff\xfe\x00", r"not UTF-8 text", id="garbage"),
    ],
)
def test_non_utf8_bytes_are_refused(write_profile: WriteProfile, raw: bytes, message: str) -> None:
    """Bytes that are not UTF-8 are refused with the offending byte and its offset."""
    with pytest.raises(ProfileError, match=message):
        load_profile(write_profile(raw))


def test_oversized_file_is_refused_before_parsing(write_profile: WriteProfile) -> None:
    """A file over 64 KiB is refused by its size, naming the size and the limit."""
    path = write_profile(VALID_TEXT + "#" + "x" * MAX_PROFILE_BYTES + "\n")
    size = path.stat().st_size
    with pytest.raises(ProfileError, match=rf"the file is {size} bytes; a profile may be at most "
                       rf"{MAX_PROFILE_BYTES} bytes"):
        load_profile(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    """A path that does not exist is a clean ProfileError, not an OSError."""
    with pytest.raises(ProfileError, match=r"nope\.yaml: no such file"):
        load_profile(tmp_path / "nope.yaml")


def test_folder_is_refused(tmp_path: Path) -> None:
    """A folder named like a profile is refused as a folder."""
    (tmp_path / "acme.yaml").mkdir()
    with pytest.raises(ProfileError, match=r"is a folder, not a file; a profile must be a file"):
        load_profile(tmp_path / "acme.yaml")


@pytest.mark.parametrize(
    ("name", "shown"),
    [("acme.txt", "'.txt'"), ("acme.json", "'.json'"), ("acme", "'no suffix'")],
)
def test_wrong_suffix_is_refused(write_profile: WriteProfile, name: str, shown: str) -> None:
    """Only .yaml files are profiles."""
    message = rf"a profile must be a \.yaml file, got {shown}"
    with pytest.raises(ProfileError, match=message):
        load_profile(write_profile(VALID_TEXT, name))


# --- hostile YAML -------------------------------------------------------------------------------
def test_billion_laughs_is_refused_at_the_first_anchor(write_profile: WriteProfile) -> None:
    """The billion-laughs alias bomb fails at its first anchor (line 1), before any expansion."""
    path = write_profile(BILLION_LAUGHS)
    # Refused at line 1, column 4 (the first anchor): nothing is expanded, so it fails fast
    # whatever the bomb's size, without a timed assertion.
    with pytest.raises(ProfileError, match=r"anchors and aliases \(&name\) are not allowed: "
                       r"modelfit files are plain YAML \(line 1, column 4\)"):
        load_profile(path)


def test_alias_is_refused_at_the_first_alias(write_profile: WriteProfile) -> None:
    """An alias is refused where it first appears, even with no anchor defined for it."""
    text = VALID_TEXT.replace("company: Acme Trading", "company: *name")
    with pytest.raises(ProfileError, match=r"anchors and aliases \(\*name\) are not allowed: "
                       r"modelfit files are plain YAML \(line 1, column 10\)"):
        load_profile(write_profile(text))


def test_merge_key_is_refused(write_profile: WriteProfile) -> None:
    """A YAML merge key (<<: *x) needs an anchor, so it is refused too."""
    text = "base: &base {capital: 3}\n<<: *base\n" + VALID_TEXT
    with pytest.raises(ProfileError, match=r"anchors and aliases \(&name\) are not allowed"):
        load_profile(write_profile(text))


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/object:pathlib.Path",
        "!!python/name:os.system",
    ],
)
def test_python_tags_never_run(write_profile: WriteProfile, tmp_path: Path, tag: str) -> None:
    """A python/* tag is refused and its payload never runs: the marker file is not created."""
    marker = tmp_path / "pwned"
    text = VALID_TEXT + f"category: {tag} [\"touch {marker}\"]\n"
    with pytest.raises(ProfileError, match=r"could not determine a constructor for the tag .*"
                       r"only plain YAML values are allowed, tags are never run"):
        load_profile(write_profile(text))
    assert not marker.exists()


def test_python_object_mapping_tag_is_refused(write_profile: WriteProfile, tmp_path: Path) -> None:
    """A document tagged !!python/object as a whole is refused and constructs nothing."""
    marker = tmp_path / "pwned"
    text = f"!!python/object/apply:os.system\nargs: ['touch {marker}']\n"
    with pytest.raises(ProfileError, match=r"tags are never run"):
        load_profile(write_profile(text))
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(VALID_TEXT + "capital: 4\n",
                     r"duplicate key 'capital': each field may appear once \(line 7, column 1\)",
                     id="top-level"),
        pytest.param(VALID_TEXT + "Stage: growth\nStage: growth\n", r"duplicate key 'Stage'",
                     id="unknown-key-twice"),
    ],
)
def test_duplicate_keys_are_refused(write_profile: WriteProfile, text: str, message: str) -> None:
    """A key given twice is an error naming the key and where it repeats, never last-one-wins."""
    with pytest.raises(ProfileError, match=message):
        load_profile(write_profile(text))


# --- fields -------------------------------------------------------------------------------------
def _with(field: str, value: str) -> str:
    lines = [ln for ln in VALID_TEXT.splitlines() if not ln.startswith(f"{field}:")]
    return "\n".join([*lines, f"{field}: {value}"]) + "\n"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company", '""', r"company must be a non-empty string of at most 200 characters, got ''"),
        ("company", "123", r"company must be a non-empty string .*, got 123"),
        ("company", "x" * 201, r"company must be a non-empty string of at most 200 characters"),
        ("stage", "scaleup", r"stage must be one of startup, growth, mature, got 'scaleup'"),
        ("stage", "Growth", r"stage must be one of startup, growth, mature, got 'Growth'"),
        ("capital", "7", r"capital must be an integer from 1 to 5, got 7"),
        ("capital", "0", r"capital must be an integer from 1 to 5, got 0"),
        ("capital", "3.0", r"capital must be an integer from 1 to 5, got 3\.0"),
        ("capital", '"3"', r"capital must be an integer from 1 to 5, got '3'"),
        ("capital", "true", r"capital must be an integer from 1 to 5, got True"),
        ("supply_chain", "-1", r"supply_chain must be an integer from 1 to 5, got -1"),
        ("brand_content", "6", r"brand_content must be an integer from 1 to 5, got 6"),
        ("tech_data", "null", r"tech_data must be an integer from 1 to 5, got None"),
        ("category", "cars", r"category must be one of apparel, beauty, .*, other, got 'cars'"),
        ("avg_order_value_usd", "0", r"avg_order_value_usd must be a number from 1 to 5000, got 0"),
        ("avg_order_value_usd", ".nan", r"avg_order_value_usd must be a number from 1 to 5000, "
                                        r"got nan"),
        ("gross_margin_pct", "96", r"gross_margin_pct must be a number from 0 to 95, got 96"),
        ("gross_margin_pct", ".inf", r"gross_margin_pct must be a number from 0 to 95, got inf"),
        ("marketing_budget_usd", "-5", r"marketing_budget_usd must be a number from 0 to 10000000"),
        ("team_size", "0", r"team_size must be an integer from 1 to 100000, got 0"),
        ("team_size", "2.5", r"team_size must be an integer from 1 to 100000, got 2\.5"),
        ("target_markets", "[mars]", r"target_markets must be a .*list of us, eu, uk, jp, sea, "
                                     r"latam, mea, other, got \['mars'\]"),
        ("target_markets", "us", r"target_markets must be a .*list of .*, got 'us'"),
        ("target_markets", "[]", r"target_markets must be a non-empty list of .*, got \[\]"),
        ("existing_channels", "[hybrid]", r"existing_channels must be a list of platform, "
                                          r"distribution, independent_site, got \['hybrid'\]"),
    ],
)
def test_bad_field_value_names_file_field_value_and_allowed(
    write_profile: WriteProfile, field: str, value: str, message: str,
) -> None:
    """Each bad value is one message: file, field, what is allowed, and the value given."""
    path = write_profile(_with(field, value))
    with pytest.raises(ProfileError, match=re.escape(str(path)) + ": " + message):
        load_profile(path)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("captial", r"'captial' is not a field; did you mean 'capital'\?"),
        ("suply_chain", r"'suply_chain' is not a field; did you mean 'supply_chain'\?"),
        ("brand_contnet", r"'brand_contnet' is not a field; did you mean 'brand_content'\?"),
        ("techdata", r"'techdata' is not a field; did you mean 'tech_data'\?"),
        ("STAGE", r"'STAGE' is not a field; did you mean 'stage'\?"),
        ("company_id", r"'company_id' is not a field; did you mean 'company'\?"),
        ("source_sha256", r"'source_sha256' is not a field; the fields are company, stage, "),
        ("zzz", r"'zzz' is not a field; the fields are company, stage, capital, "),
        ("1", r"1 is not a field; the fields are "),
    ],
)
def test_unknown_key_is_an_error_with_a_suggestion(
    write_profile: WriteProfile, key: str, message: str,
) -> None:
    """Unknown keys are errors; a close field name is suggested (did you mean ...?)."""
    with pytest.raises(ProfileError, match=message):
        load_profile(write_profile(VALID_TEXT + f"{key}: 3\n"))


@pytest.mark.parametrize("field", ["company", "stage", "capital", "supply_chain", "brand_content",
                                   "tech_data"])
def test_missing_required_field_is_named(write_profile: WriteProfile, field: str) -> None:
    """A missing required field is named with what it must be."""
    text = "".join(ln + "\n" for ln in VALID_TEXT.splitlines() if not ln.startswith(f"{field}:"))
    with pytest.raises(ProfileError, match=rf"{field} is missing; it must be "):
        load_profile(write_profile(text))


def test_every_problem_of_a_file_is_reported_at_once(write_profile: WriteProfile) -> None:
    """One ProfileError lists every problem of the file, one line each, in file order."""
    text = "company: Acme\nstage: scaleup\ncaptial: 3\nsupply_chain: 9\nbrand_content: 3\n"
    path = write_profile(text)
    with pytest.raises(ProfileError, match=r"did you mean 'capital'") as info:
        load_profile(path)
    problems = info.value.problems
    assert problems == (
        f"{path}: 'captial' is not a field; did you mean 'capital'?",
        f"{path}: stage must be one of startup, growth, mature, got 'scaleup'",
        f"{path}: capital is missing; it must be an integer from 1 to 5",
        f"{path}: supply_chain must be an integer from 1 to 5, got 9",
        f"{path}: tech_data is missing; it must be an integer from 1 to 5",
    )
    assert str(info.value) == "\n".join(problems)


def test_bad_file_name_is_reported_with_the_field_problems(write_profile: WriteProfile) -> None:
    """A bad company id (file name) and bad fields are reported together, not one at a time."""
    path = write_profile(VALID_TEXT.replace("capital: 3", "capital: 9"), "Acme Corp.yaml")
    with pytest.raises(ProfileError, match=r"the file name \(the company id\) must match") as info:
        load_profile(path)
    assert len(info.value.problems) == 2
    assert "capital must be an integer from 1 to 5, got 9" in info.value.problems[1]


# --- company ids --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["acme", "a", "0day", "acme-co", "acme_co", "a1-b2_c3"])
def test_valid_company_ids_are_accepted(name: str) -> None:
    """Lower-case letters, digits, '_' and '-', starting with a letter or digit."""
    assert check_company_id(name) == name


@pytest.mark.parametrize(
    "name", ["Acme", "-acme", "_acme", "acme co", "acme.co", "ac/me", "", "é", "acme\n", "..",
             "ACME"],
)
def test_invalid_company_ids_are_refused(name: str) -> None:
    """Anything else (capitals, spaces, dots, slashes, leading '-' or '_') is refused."""
    with pytest.raises(ProfileError, match=r"company id must match \[a-z0-9\]\[a-z0-9_-\]\* "
                       r"\(lower-case letters, digits, '_' and '-', no paths or spaces\), got "):
        check_company_id(name)


@pytest.mark.parametrize("name", ["Acme.yaml", "my company.yaml", "-acme.yaml", "acme.v2.yaml"])
def test_profile_file_name_must_be_a_company_id(write_profile: WriteProfile, name: str) -> None:
    """The file stem is the company id, so a file whose stem is not one is refused."""
    with pytest.raises(ProfileError, match=r"the file name \(the company id\) must match"):
        load_profile(write_profile(VALID_TEXT, name))


# --- from_mapping -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, r"<profile>: a profile must be a mapping of field: value, got NoneType None"),
        ([1, 2], r"<profile>: a profile must be a mapping of field: value, got a list"),
        ("text", r"<profile>: a profile must be a mapping of field: value, got the text 'text'"),
    ],
)
def test_from_mapping_refuses_non_mappings(data: object, message: str) -> None:
    """Profile.from_mapping accepts only a mapping."""
    with pytest.raises(ProfileError, match=message):
        Profile.from_mapping(data)


def test_from_mapping_accepts_integral_numbers_for_number_fields() -> None:
    """An integer in a number field (e.g. 40) is read as that number, not refused."""
    profile = Profile.from_mapping({"company": "x", "stage": "growth", "capital": 3,
                                    "supply_chain": 3, "brand_content": 3, "tech_data": 3,
                                    "avg_order_value_usd": 40, "target_markets": ["us", "eu"]})
    assert profile.avg_order_value_usd == 40.0
    assert profile.target_markets == ("us", "eu")
