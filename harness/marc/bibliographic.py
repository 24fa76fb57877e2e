"""MARC 21 Format for Bibliographic Data: content designation of each field, as a table.

Source: Library of Congress, *MARC 21 Format for Bibliographic Data* (1999 edition, updated
through Update No. 37, 2023), one page per field at https://www.loc.gov/marc/bibliographic/
(``bdXXX.html``; ``bd01x09x.html`` for 01X-09X, ``bd5xx.html`` for the notes, and so on).
Each row gives what that page defines for the field:

    tag  field repeatable (R/NR)  first indicator  second indicator
         non-repeatable subfield codes  repeatable subfield codes  field name

Indicator values: ``_`` is blank, ``0-9`` a range. A ``-`` means none. ``*`` in the codes
column means "codes are not checked": the field is rare and its subfield list long (some
coded-data and geospatial fields); only its tag, repeatability and indicators are judged.

Locally defined fields are not in the table and are never judged: 09X, 59X, 69X and 9XX
(MARC 21 Bibliographic, "Introduction: Local fields" and each block's X9X note), and 886
(Foreign MARC information) keeps another format's tags. Obsolete fields are not in the
table either: a record that still has one (440, 503, 512, ...) gets a warning, as MARC 21
no longer defines the field.

This table was written from the LC pages; it is not taken from MARC::Lint, which is used
only as an independent oracle in ``tests/oracles/test_marc_content_oracle.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

FORMAT = "MARC 21 Format for Bibliographic Data"

_TABLE = """
001 NR - - - - Control Number
003 NR - - - - Control Number Identifier
005 NR - - - - Date and Time of Latest Transaction
006 R - - - - Fixed-Length Data Elements-Additional Material Characteristics
007 R - - - - Physical Description Fixed Field
008 NR - - - - Fixed-Length Data Elements-General Information
010 NR _ _ a bz8 Library of Congress Control Number
013 R _ _ abc6 def8 Patent Control Information
015 R _ _ 26 aqz8 National Bibliography Number
016 R _7 _ a2 z8 National Bibliographic Agency Control Number
017 R _ _8 bdi26 az8 Copyright or Legal Deposit Number
018 NR _ _ a6 8 Copyright Article-Fee Code
020 R _ _ ac6 qz8 International Standard Book Number
022 R _01 _ al26 myz8 International Standard Serial Number
024 R 0-478 _01 acd26 qz8 Other Standard Identifier
025 R _ _ - a8 Overseas Acquisition Number
026 R _ _ cde26 ab58 Fingerprint Identifier
027 R _ _ a6 qz8 Standard Technical Report Number
028 R 0-6 0-3 ab6 q8 Publisher or Distributor Number
030 R _ _ a6 z8 CODEN Designation
031 R _ _ * * Musical Incipits Information
032 R _ _ ab6 8 Postal Registration Number
033 R _012 _012 36 abcp0128 Date/Time and Place of an Event
034 R 013 _01 * * Coded Cartographic Mathematical Data
035 R _ _ a6 z8 System Control Number
036 NR _ _ ab6 8 Original Study Number for Computer Data Files
037 R _23 _ ab36 cfgn58 Source of Acquisition
038 NR _ _ a6 8 Record Content Licensor
040 NR _ _ abce6 de8 Cataloging Source
041 R _01 _7 236 abdefghijkmnpqrt8 Language Code
042 NR _ _ - a Authentication Code
043 NR _ _ 6 abc0128 Geographic Area Code
044 NR _ _ 6 abc28 Country of Publishing/Producing Entity Code
045 NR _012 _ 6 abc8 Time Period of Content
046 R _123 _ abcdejklmnop236 xz018 Special Coded Dates
047 R _ _7 2 a8 Form of Musical Composition Code
048 R _ _7 2 ab8 Number of Musical Instruments or Voices Codes
050 R _01 04 b36 a018 Library of Congress Call Number
051 R _ _ abc 8 Library of Congress Copy, Issue, Offprint Statement
052 R _17 _ a26 bd018 Geographic Classification
055 R _01 0-9 ab26 018 Classification Numbers Assigned in Canada
060 R _01 04 b a018 National Library of Medicine Call Number
061 R _ _ bc a8 National Library of Medicine Copy Statement
066 NR _ _ ab c Character Sets Present
070 R 01 _ b a018 National Agricultural Library Call Number
071 R _ _ abc 8 National Agricultural Library Copy Statement
072 R _ 07 a26 x8 Subject Category Code
074 R _ _ a z8 GPO Item Number
080 R _01 _ ab26 x018 Universal Decimal Classification Number
082 R 017 _04 bmq26 a018 Dewey Decimal Classification Number
083 R 017 _ mq26 acyz018 Additional Dewey Decimal Classification Number
084 R _ _ bq26 a018 Other Classification Number
085 R _ _ 6 abcfrstuvwyz018 Synthesized Classification Number Components
086 R _01 _ a26 z018 Government Document Classification Number
088 R _ _ a6 z8 Report Number
100 NR 013 _ abdflqtu26 cegjknp0148 Main Entry-Personal Name
110 NR 012 _ aftlu26 bcdegknp0148 Main Entry-Corporate Name
111 NR 012 _ adflqtu26 cegjknp0148 Main Entry-Meeting Name
130 NR 0-9 _ afhlorst26 dgkmnp018 Main Entry-Uniform Title
210 R 01 _0 ab6 28 Abbreviated Title
222 R _ 0-9 ab6 8 Key Title
240 NR 01 0-9 afhlorst26 dgkmnp018 Uniform Title
242 R 01 0-9 abchy6 np8 Translation of Title by Cataloging Agency
243 NR 01 0-9 afhlorst6 dgkmnp8 Collective Uniform Title
245 NR 01 0-9 abcfghs6 knp8 Title Statement
246 R 0-3 _0-8 abfhi6 gnp58 Varying Form of Title
247 R 01 01 abfhx6 gnp8 Former Title
250 R _ _ ab36 8 Edition Statement
251 R _ _ 36 a0128 Version Information
254 NR _ _ a6 8 Musical Presentation Statement
255 R _ _ abcde6 fg8 Cartographic Mathematical Data
256 NR _ _ a6 8 Computer File Characteristics
257 R _ _ 26 a018 Country of Producing Entity
258 R _ _ ab6 8 Philatelic Issue Data
260 R _23 _ 36 abcefg8 Publication, Distribution, etc. (Imprint)
263 NR _ _ a6 8 Projected Publication Date
264 R _23 0-4 36 abc8 Production, Publication, Distribution, Manufacture, and Copyright Notice
270 R _12 _07 * * Address
300 R _ _ be36 acfg8 Physical Description
306 NR _ _ 6 a8 Playing Time
307 R _8 _ ab6 8 Hours, Etc.
310 NR _ _ ab6 018 Current Publication Frequency
321 R _ _ ab6 018 Former Publication Frequency
334 R _ _ 236 ab018 Mode of Issuance
335 R _ _ 236 ab018 Extension Plan
336 R _ _ 236 ab018 Content Type
337 R _ _ 236 ab018 Media Type
338 R _ _ 236 ab018 Carrier Type
340 R _ _ 236 abcdefghijkmnopqrst018 Physical Medium
341 R _01 _ 236 abcde018 Accessibility Content
342 R 01 0-8 * * Geospatial Reference Data
343 R _ _ * * Planar Coordinate Data
344 R _ _ 236 abcdefghijk018 Sound Characteristics
345 R _ _ 236 abcd018 Moving Image Characteristics
346 R _ _ 236 ab018 Video Characteristics
347 R _ _ 236 abcdef018 Digital File Characteristics
348 R _ _ 236 abcd018 Notated Music Characteristics
351 R _ _ 36 abc8 Organization and Arrangement of Materials
352 R _ _ aq6 bcdefgi8 Digital Graphic Representation
353 R _ _ 236 ab018 Supplementary Content Characteristics
355 R 0-8 _ abcdefghj6 8 Security Classification Control
357 NR _ _ ab6 cg8 Originator Dissemination Control
362 R 01 _ az6 8 Dates of Publication and/or Sequential Designation
363 R _01 _01 * * Normalized Date and Sequential Designation
365 R _ _ * * Trade Price
366 R _ _ * * Trade Availability Information
370 R _ _ 236 cfgistuv0148 Associated Place
377 R _ _7 236 al018 Associated Language
380 R _ _ 236 a018 Form of Work
381 R _ _ 236 auv018 Other Distinguishing Characteristics of Work or Expression
382 R _012 _01 236 abdenprstv018 Medium of Performance
383 R _ _ e236 abcd8 Numeric Designation of Musical Work
384 R _01 _ a36 8 Key
385 R _ _ 236 abmn018 Audience Characteristics
386 R _ _ 236 abimn0148 Creator/Contributor Characteristics
387 R _ _ 236 abcdefghijklmnopqrs018 Representative Expression Characteristics
388 R _12 _ 236 a018 Time Period of Creation
490 R 01 _ l36 avxyz8 Series Statement
500 R _ _ a36 58 General Note
501 R _ _ a6 58 With Note
502 R _ _ abcdg6 o8 Dissertation Note
504 R _ _ ab6 8 Bibliography, Etc. Note
505 R 0128 _0 a6 grtu8 Formatted Contents Note
506 R _01 _ 36 abcdefgqu258 Restrictions on Access Note
507 NR _ _ ab6 8 Scale Note for Visual Materials
508 R _ _ a6 8 Creation/Production Credits Note
510 R 0-4 _ abcx36 u8 Citation/References Note
511 R 01 _ a6 8 Participant or Performer Note
513 R _ _ ab6 8 Type of Report and Period Covered Note
514 NR _ _ * * Data Quality Note
515 R _ _ a6 8 Numbering Peculiarities Note
516 R _8 _ a6 8 Type of Computer File or Data Note
518 R _ _ a36 dop0128 Date/Time and Place of an Event Note
520 R _0-48 _ a236 bcu8 Summary, Etc.
521 R _0-48 _ 36 ab8 Target Audience Note
522 R _8 _ a6 8 Geographic Coverage Note
524 R _8 _ a236 8 Preferred Citation of Described Materials Note
525 R _ _ a6 8 Supplement Note
526 R 08 _ abcdi6 xz58 Study Program Information Note
530 R _ _ abcd36 u8 Additional Physical Form Available Note
532 R 0128 _ a6 8 Accessibility Note
533 R _ _ abcdem36 fn578 Reproduction Note
534 R _ _ abcmpt36 efklnoxz8 Original Version Note
535 R 12 _ a36 bcdg8 Location of Originals/Duplicates Note
536 R _ _ a6 bcdefgh8 Funding Information Note
538 R _ _ a36 iu58 System Details Note
540 R _ _ abcdfg236 qu58 Terms Governing Use and Reproduction Note
541 R _01 _ abcdefho36 58 Immediate Source of Acquisition Note
542 R _01 _ * * Information Relating to Copyright Status
544 R _01 _ n36 abcde8 Location of Other Archival Materials Note
545 R _01 _ ab6 u8 Biographical or Historical Data
546 R _ _ a36 b8 Language Note
547 R _ _ a6 8 Former Title Complexity Note
550 R _ _ a6 8 Issuing Body Note
552 R _ _ * * Entity and Attribute Information Note
555 R _08 _ ad36 bcu8 Cumulative Index/Finding Aids Note
556 R _ _ a6 z8 Information About Documentation Note
561 R _01 _ a36 u58 Ownership and Custodial History
562 R _ _ 36 abcde58 Copy and Version Identification Note
563 R _ _ a36 u58 Binding Information
565 R _08 _ a36 bcde8 Case File Characteristics Note
567 R _8 _ a26 b018 Methodology Note
580 R _ _ a6 8 Linking Entry Complexity Note
581 R _8 _ a36 z8 Publications About Described Materials Note
583 R _01 _ * * Action Note
584 R _ _ 36 ab58 Accumulation and Frequency of Use Note
585 R _ _ a36 58 Exhibitions Note
586 R _8 _ a36 8 Awards Note
588 R _01 _ a6 58 Source of Description Note
600 R 013 0-7 abdfhloqrtu236 cegjkmnpsvxyz0148 Subject Added Entry-Personal Name
610 R 012 0-7 afhlortu236 bcdegkmnpsvxyz0148 Subject Added Entry-Corporate Name
611 R 012 0-7 adfhlqtu236 cegjknpsvxyz0148 Subject Added Entry-Meeting Name
630 R 0-9 0-7 afhlort236 degkmnpsvxyz0148 Subject Added Entry-Uniform Title
647 R _ 0-7 a236 cdgvxyz018 Subject Added Entry-Named Event
648 R _ 0-7 a236 vxyz018 Subject Added Entry-Chronological Term
650 R _012 0-7 abcd236 egvxyz0148 Subject Added Entry-Topical Term
651 R _ 0-7 a236 egvxyz0148 Subject Added Entry-Geographic Name
653 R _012 _0-6 6 a8 Index Term-Uncontrolled
654 R _012 _ 236 abcevyz0148 Subject Added Entry-Faceted Topical Terms
655 R _0 0-7 3256 abcvxyz018 Index Term-Genre/Form
656 R _ 7 a236 kvxyz018 Index Term-Occupation
657 R _ 7 a236 vxyz018 Index Term-Function
658 R _ _ ad26 bc8 Index Term-Curriculum Objective
662 R _ _ 26 abcdefgh0148 Subject Added Entry-Hierarchical Place Name
688 R _ 0-7 a236 egvxyz0148 Subject Added Entry-Type of Entity Unspecified
700 R 013 _2 abdfhloqrtux2356 cegijkmnps01348 Added Entry-Personal Name
710 R 012 _2 afhlortux2356 bcdegikmnps01348 Added Entry-Corporate Name
711 R 012 _2 adfhlqtux2356 cegijknps01348 Added Entry-Meeting Name
720 R _12 _ a6 e48 Added Entry-Uncontrolled Name
730 R 0-9 _2 afhlortx2356 dgikmnps01348 Added Entry-Uniform Title
740 R 0-9 _2 ah56 np8 Added Entry-Uncontrolled Related/Analytical Title
751 R _ _ a236 eg0148 Added Entry-Geographic Name
752 R _ _ 26 abcdefgh0148 Added Entry-Hierarchical Place Name
753 R _ _ 26 abc018 System Details Access to Computer Files
754 R _ _ 26 acdxz018 Taxonomic Identification
758 R _ _ a36 i01458 Resource Identifier
760 R 01 _8 acdhmostxy67 bgiknrwz48 Main Series Entry
762 R 01 _8 acdhmostxy67 bgiknrwz48 Subseries Entry
765 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Original Language Entry
767 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Translation Entry
770 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Supplement/Special Issue Entry
772 R 01 _08 acdehmopqstuxy67 bfgiknrwz48 Supplement Parent Entry
773 R 01 _8 acdehmopqstuxy367 bfgiknrwz48 Host Item Entry
774 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Constituent Unit Entry
775 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Other Edition Entry
776 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Additional Physical Form Entry
777 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Issued With Entry
780 R 01 0-7 acdehmopqstuxy67 bfgiknrwz48 Preceding Entry
785 R 01 0-8 acdehmopqstuxy67 bfgiknrwz48 Succeeding Entry
786 R 01 _8 acdehjmopqstuvxy67 bfgiknrwz48 Data Source Entry
787 R 01 _8 acdehmopqstuxy67 bfgiknrwz48 Nonspecific Relationship Entry
800 R 013 _ abdfhloqrtuvx23567 cegjkmnps01348 Series Added Entry-Personal Name
810 R 012 _ afhlortuvx23567 bcdegkmnps01348 Series Added Entry-Corporate Name
811 R 012 _ adfhlqtuvx23567 cegjknps01348 Series Added Entry-Meeting Name
830 R _ 0-9 afhlorstvx23567 dgkmnp01348 Series Added Entry-Uniform Title
841 NR _ _ * * Holdings Coded Data Values
842 NR _ _ a6 8 Textual Physical Form Designator
843 R _ _ * * Reproduction Note
844 NR _ _ a6 8 Name of Unit
845 R _ _ * * Terms Governing Use and Reproduction Note
850 R _ _ - a8 Holding Institution
852 R _0-8 _012 afjlnpqt236 bcdeghikmsuxz8 Location
853 R 0-3 0-3 * * Captions and Pattern-Basic Bibliographic Unit
854 R 0-3 0-3 * * Captions and Pattern-Supplementary Material
855 R 0-3 0-3 * * Captions and Pattern-Indexes
856 R _0-478 _0-28 * * Electronic Location and Access
857 R _0-478 _0-28 * * Electronic Archive Location and Access
863 R _345 _0-4 * * Enumeration and Chronology-Basic Bibliographic Unit
864 R _345 _0-4 * * Enumeration and Chronology-Supplementary Material
865 R _345 _0-4 * * Enumeration and Chronology-Indexes
866 R _0-5 0127 a6 xz8 Textual Holdings-Basic Bibliographic Unit
867 R _0-5 0127 a6 xz8 Textual Holdings-Supplementary Material
868 R _0-5 0127 a6 xz8 Textual Holdings-Indexes
876 R _ _ * * Item Information-Basic Bibliographic Unit
877 R _ _ * * Item Information-Supplementary Material
878 R _ _ * * Item Information-Indexes
880 R * * * * Alternate Graphic Representation
881 R _ _ * * Manifestation Statements
882 NR _ _ a6 iw8 Replacement Record Information
883 R _012 _ * * Metadata Provenance
884 R _ _ * * Description Conversion Information
885 R _ _ * * Matching Information
887 R _ _ 2 a Non-MARC Information Field
"""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """What MARC 21 Bibliographic defines for one field."""

    tag: str
    repeatable: bool
    ind1: frozenset[str] | None  # None: not checked (880 takes its linked field's)
    ind2: frozenset[str] | None
    subfields: Mapping[str, bool] | None  # code -> repeatable; None: codes not checked
    name: str

    @property
    def clause(self) -> str:
        return f"{FORMAT}, {self.tag} {self.name} ({'R' if self.repeatable else 'NR'}), {page(self.tag)}"


def page(tag: str) -> str:
    """The LC page that defines the field."""
    if tag[:2] == "00":
        return f"https://www.loc.gov/marc/bibliographic/bd{tag}.html"
    if tag[0] == "0" and tag[1] != "0":
        return "https://www.loc.gov/marc/bibliographic/bd01x09x.html"
    return f"https://www.loc.gov/marc/bibliographic/bd{tag}.html"


def _indicator(values: str) -> frozenset[str] | None:
    if values == "*":
        return None
    allowed: set[str] = set()
    for i, char in enumerate(values):
        if char == "-" and 0 < i < len(values) - 1:
            allowed.update(chr(c) for c in range(ord(values[i - 1]), ord(values[i + 1]) + 1))
        else:
            allowed.add(" " if char == "_" else char)
    return frozenset(allowed - {"-"}) if values != "-" else frozenset(" ")


def _subfields(non_repeatable: str, repeatable: str) -> Mapping[str, bool] | None:
    if "*" in (non_repeatable, repeatable):
        return None
    codes = {code: False for code in non_repeatable.strip("-")} | {code: True for code in repeatable.strip("-")}
    return MappingProxyType(codes)


def _parse(table: str) -> Mapping[str, FieldSpec]:
    fields: dict[str, FieldSpec] = {}
    for line in table.strip().splitlines():
        tag, repeatable, ind1, ind2, non_repeatable, repeatable_codes, name = line.split(" ", 6)
        assert tag not in fields, f"{tag} is in the table twice"
        fields[tag] = FieldSpec(tag, repeatable == "R", _indicator(ind1), _indicator(ind2),
                                _subfields(non_repeatable, repeatable_codes), name)
    return MappingProxyType(fields)


FIELDS: Mapping[str, FieldSpec] = _parse(_TABLE)


def is_local(tag: str) -> bool:
    """Locally defined: 09X, 59X, 69X, 9XX, and 886 (another format's field, kept as it was)."""
    return tag[0] == "9" or tag[1:2] == "9" and tag[0] in "056" or tag == "886"
