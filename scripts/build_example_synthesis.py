"""Build the worked example's synthesis data from the paper's Findings section.

The spec below is the readable truth: every sentence and quote of the Findings section of
Tompkins, Parkman & Potheary (2018) that the paper attributes to one of the six included
records, verbatim, in the paper's order, with the heading it stands under and the records
it cites. From it this script writes synthesis/sources/*.txt, synthesis/sources.toml
(with each file's sha256) and synthesis/coding/tompkins.jsonl (segments with computed
offsets, and their codes), so no offset is ever typed by hand. The codebook
(synthesis/codebook.yaml) is written by hand and only read here.

    python scripts/build_example_synthesis.py          # write the files
    python scripts/build_example_synthesis.py --check  # exit 1 if the files are stale
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
CODER = "tompkins"
# A fixed start time, so that a rebuild is byte-identical; events are one second apart.
START = datetime(2018, 3, 1, 9, 0, 0, tzinfo=UTC)
PAPER = (
    "Tompkins, Parkman & Potheary (2018), Implementing and delivering personalised budgets"
    " for drug and alcohol users: a narrative systematic review, Health and Social Care in"
    " the Community, doi:10.1111/hsc.12633"
)
# The six included records, in the order of studies.toml, with the paper's way to cite them.
RECORDS = {
    "callanan-2012": "Callanan et al. (2012)",
    "cornes-2015": "Cornes, Whiteford & Manthorpe (2015)",
    "croft-2016": "Croft & Parish (2016)",
    "welch-2013": "Welch et al. (2013)",
    "welch-2017": "Welch et al. (2017)",
    "whiteford-2016": "Whiteford, Cornes & Williamson (2016)",
}
AUTHOR = "author interpretation"
PARTICIPANT = "participant quote"


@dataclass(frozen=True)
class S:
    """A sentence of the authors, under heading `theme`, citing `records`.

    `quotes` are participants' words the sentence quotes inline (coded on their own too).
    """

    theme: str
    records: list[str]
    text: str
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Q:
    """A displayed quotation of a participant of one record, with the paper's attribution."""

    theme: str
    record: str
    text: str
    cite: str

    @property
    def records(self) -> list[str]:
        return [self.record]


# Sentences with no citation of their own are attributed as the paper's context does:
# "Operational and managerial staff perceived ..." and "They thought ..." to the two studies
# the next/previous sentence names; "Recipients noted benefits ..." to the record of the
# quotation it introduces. Sentences about "the included studies" at large are left out.
SPEC: list[S | Q] = [
    S('implementing-delivering',
      ['callanan-2012', 'cornes-2015', 'welch-2013', 'welch-2017', 'whiteford-2016'],
      'The included studies identified that staff faced several moral, ethical and '
      'practical challenges implementing and delivering personal budget initiatives with '
      'drug and alcohol users (Callanan et al., 2012; Cornes, Whiteford & Manthorpe, 2015; '
      'Whiteford, Cornes & Williamson, 2016; Welch et al., 2013; Welch et al., 2017).'),
    S('moral-ethical', ['callanan-2012'],
      'In Callanan et al (2012), some service staff and care co-ordinators were initially '
      'reluctant to refer drug and alcohol users for self-directed support (SDS) as they '
      'worried that they would not make appropriate decisions about how to use their '
      'budgets, questioned how suitable it was for drug and alcohol users to make such '
      'decisions, and raised concerns that users would request more expensive services than'
      ' they required.'),
    S('moral-ethical', ['welch-2017', 'whiteford-2016'],
      'Similarly, Link Workers in Whiteford, Cornes & Williamson (2016) and representatives'
      ' across a range of organisations in Welch et al (2017) were concerned that drug and '
      'alcohol users may not use budgets appropriately, may sell budget purchases to fund '
      'substance use, and questioned what would happen in the event of relapse.'),
    Q('moral-ethical', 'welch-2017',
      'One of the worries that people have about the PHB was, well, what happens if people '
      'use all their money and then they relapse and go back using drugs again? Will we '
      'have to spend all the same money all over again?',
      cite='Health professional, Welch et al., 2017'),
    S('practical-issues', ['callanan-2012', 'welch-2017'],
      'Practical implementation and delivery issues raised by operational staff centred on '
      'who to target with PBs and when (Callanan et al., 2012; Welch et al., 2017).'),
    S('practical-issues', ['callanan-2012'],
      "Callanan et al.'s study identified that staff were reluctant to use SDS with high "
      'need service users with drug and/or alcohol using histories as they perceived that '
      'the referral process and assessment would be more time consuming than traditional '
      'treatment and doubted that the kind of treatment needed would be available through '
      'SDS (Callanan et al., 2012).'),
    S('practical-issues', ['welch-2017'],
      'Similarly, operational staff worried that offering PHBs at crisis point could '
      'provoke anxiety for drug and alcohol users (Welch et al., 2017).'),
    S('practical-issues', ['callanan-2012', 'welch-2017'],
      'Thus, staff in these two studies felt that budgets were most appropriate to support '
      'and sustain the recovery of lower need drug and alcohol users, who were abstinent or'
      ' stable on substitute medication or nearing the end of treatment (Callanan et al., '
      '2012; Welch et al., 2017).'),
    S('practical-issues', ['callanan-2012', 'welch-2017'],
      'In two studies (Callanan et al., 2012; Welch et al., 2017), a lack of guidelines on '
      'what budgets could fund contributed to delivery challenges for delivery staff and '
      'made it more difficult to support their clients.'),
    S('practical-issues', ['welch-2017'],
      'Discrepancies arose when organisational representatives perceived that drug and '
      "alcohol users' budget requests did not match their needs or included activities or "
      'services that went against evidence-based opinion (Welch et al., 2017).'),
    Q('practical-issues', 'callanan-2012',
      'People struggled with the notion of how it would actually work in substance '
      'misuse... how it was going to be seen to be used wisely, this money and what options'
      ' people did have and how they were going to link those back to treatment needs.',
      cite='Delivery manager, Callanan et al., 2012'),
    S('practical-issues', ['whiteford-2016'],
      'Link Worker delivery staff in the Fulfilling Lives pilot appeared to have more '
      "autonomy to use service user's budgets to help with individual's immediate and "
      'practical needs (e.g. for housing and food) in times of crisis (Whiteford, Cornes & '
      'Williamson, 2016).'),
    S('practical-issues', ['cornes-2015', 'whiteford-2016'],
      'Nevertheless, staff in both studies linked to this pilot (Cornes, Whiteford & '
      'Manthorpe, 2015; Whiteford, Cornes & Williamson, 2016) still alluded to '
      'discrepancies of opinion between one another about what budgets should be used for.'),
    Q('practical-issues', 'whiteford-2016',
      "There probably are discrepancies throughout the team... Some people think 'you know "
      "what, it's the service users' budget, if they want to do it let them do it' and some"
      " people think 'well is that a good recovery focused idea'.",
      cite='Link Worker, Whiteford, Cornes & Williamson, 2016'),
    S('practical-issues', ['callanan-2012', 'whiteford-2016'],
      'How to approve budget requests and provide budgets to drug and alcohol users also '
      'contributed to issues with delivering personal budgets in two included studies '
      '(Callanan et al., 2012; Whiteford, Cornes & Williamson, 2016).'),
    S('practical-issues', ['callanan-2012'],
      'For example, staff worried when decisions regarding budget uses were made by '
      'managers without discussion with delivery staff who worked with individual drug and '
      'alcohol users (Callanan et al., 2012).'),
    S('practical-issues', ['callanan-2012'],
      'Issues with formal procedures, such as uncertainty over who signed off budget '
      'requests and no time frame for decisions caused delays in providing budgets '
      '(Callanan et al., 2012).'),
    S('practical-issues', ['callanan-2012', 'welch-2013'],
      'For managerial and delivery staff, issues including provider reluctance, '
      'administrative burdens, a lack of formal invoicing procedures, the complexity of '
      'brokering a range of personalised provision, and difficulties of reconfiguring '
      'provision to accommodate a different approach to delivery posed key challenges '
      '(Callanan et al., 2012; Welch et al., 2013).'),
    S('practical-issues', ['callanan-2012'],
      'Such issues also contributed to delays in providing budgets (Callanan et al., 2012).'),
    S('practical-issues', ['whiteford-2016'],
      'However, delays in budget delivery was not an issue for FLIC staff where there were '
      'few procedural controls and formal sign off procedures to follow and where delivery '
      "staff could use service users' budgets as an 'enabling' or 'welfare' fund "
      '(Whiteford, Cornes & Williamson, 2016).'),
    S('practical-issues', ['callanan-2012'],
      'Staff worried that delays to access services through SDS/ PBs could disempower drug '
      'and alcohol users and jeopardise their engagement with treatment (Callanan et al., '
      '2012).'),
    S('practical-issues', ['callanan-2012'],
      'So, to avoid delays, managerial staff tried to streamline approval processes or '
      'members of staff purchased items for service users themselves and then invoiced the '
      'service (Callanan et al., 2012).'),
    S('practical-issues', ['callanan-2012', 'welch-2013', 'welch-2017'],
      'In some studies, staff suggested that providing budgets through direct payments '
      'would give drug and alcohol users more flexibility and control over their budgets '
      'and would limit invoicing issues and delays (Callanan et al., 2012; Welch et al., '
      '2013; Welch et al., 2017).'),
    S('practical-issues', ['welch-2013', 'welch-2017'],
      'Yet, concerns that giving greater control through direct payments might increase '
      "drug and alcohol users' vulnerability led project leads in Welch et al (2013 and "
      '2017) to suggest ways to manage the potential risks of direct payments.'),
    S('practical-issues', ['callanan-2012'],
      'Similarly, staff in Callanan et al (2012) suggested pre-paid cards as a potential '
      'alternative to direct payments.'),
    S('practical-issues', ['callanan-2012', 'welch-2017', 'whiteford-2016'],
      'Reflecting this, disagreements amongst staff over who should control drug and '
      "alcohol user's budgets were suggested in the studies - some delivery staff wanted to"
      ' give greater control to PB holders to increase empowerment and choice, whilst '
      'others wanted to maintain control of the budgets on behalf of drug and alcohol '
      'users, partly to limit service user vulnerability (Callanan et al., 2012; Welch et '
      'al., 2017; Whiteford, Cornes & Williamson, 2016).'),
    S('overcoming-challenges', ['callanan-2012'],
      'Staff implementing and delivering personal budget initiatives valued training to '
      'help them promote self-directed support, refer service users, and consider what '
      'services would therapeutically benefit them beyond traditional drug treatment '
      'services (Callanan et al., 2012).'),
    S('overcoming-challenges', ['callanan-2012'],
      'Delivery staff anxieties about unwieldy assessments and delays in accessing '
      'provision were reduced once assessments were shortened and integrated into the '
      'comprehensive treatment assessment (Callanan et al., 2012).'),
    S('overcoming-challenges', ['welch-2017'],
      'Likewise, purchasing procedures became clearer following the development and '
      'implementation of guidelines and protocols (Welch et al., 2017).'),
    S('overcoming-challenges', ['callanan-2012'],
      'One pilot site benefitted from employing a broker who assisted drug and alcohol '
      'users find the most appropriate provision for their needs, dealt with more '
      'administrative tasks, and invoiced for services, thereby freeing up staff to focus '
      'on their case work (Callanan et al., 2012).'),
    S('overcoming-challenges', ['welch-2017', 'whiteford-2016'],
      'Finally, staff across all staff groups identified that reflective practice and '
      'strong, passionate leadership were important to manage and overcome operational '
      'challenges and enthuse people to provide budgets to drug and alcohol users '
      '(Whiteford, Cornes & Williamson, 2016; Welch et al., 2017).'),
    S('staff-outcomes', ['callanan-2012', 'welch-2017'],
      'Operational and managerial staff perceived that providing budgets to drug and '
      'alcohol users influenced treatment provision.'),
    S('staff-outcomes', ['callanan-2012', 'welch-2017'],
      'For staff in Callanan et al (2012) and Welch et al (2017) a benefit of introducing '
      'personal budgets was that existing services were more competitive and responsive to '
      'the needs of drug and alcohol users as they encouraged greater use of a wider range '
      'of services beyond traditional treatment services.'),
    S('staff-outcomes', ['callanan-2012', 'welch-2017'],
      'They thought this led to existing services trying to improve the care and support '
      'they offered, to remain competitive and maintain their funding.'),
    S('staff-outcomes', ['welch-2017'],
      'Staff interviewed Welch et al (2017) felt that PBs appeared to change the dynamic of'
      ' the relationship between commissioners and service providers by shifting power '
      'towards commissioners in the interests of drug and alcohol service users.'),
    S('staff-outcomes', ['welch-2017'],
      'Cost efficiencies were also reported as organisational representatives from Welch et'
      ' al (2017) perceived that more could be done for service users within same budget '
      'limits.'),
    S('staff-outcomes', ['welch-2017'],
      'For example, services could reduce block contracts with providers and avoid '
      'referring to residential detox (Welch et al., 2017).'),
    S('staff-outcomes', ['callanan-2012', 'welch-2017'],
      'Both operational and managerial staff in Callanan et al (2012) and Welch et al '
      '(2017) reported that other benefits of providing personal budgets to drug and '
      'alcohol users included increased choice and responsibility over their treatment, '
      'more tailored treatment to meet their needs, and greater chance for recovery than '
      'through conventional services.'),
    Q('staff-outcomes', 'welch-2017',
      "Rather than just banging them into rehab, now we're looking what package we could "
      'put around them in the community... Support plans are more holistic as they look at '
      'things outside of the medical.',
      cite='Operational staff, Welch et al., 2017'),
    S('staff-outcomes', ['cornes-2015', 'welch-2017', 'whiteford-2016'],
      'Nevertheless, stakeholders and delivery staff perceived that working in '
      'collaboration with drug and alcohol users to identify their needs and plan support '
      'through personal budgets helped staff at all levels of seniority to respect and '
      'understand service users, and develop better, more equal, respectful, and trusting '
      'relationships with them (Cornes, Whiteford & Manthorpe, 2015; Welch et al., 2017; '
      'Whiteford, Cornes & Williamson, 2016).'),
    S('staff-outcomes', ['whiteford-2016'],
      'For FLIC Link Workers, having greater autonomy to work with clients as they wished '
      'led to greater job satisfaction and a willingness to commit more time to them '
      '(Whiteford, Cornes & Williamson, 2016).'),
    S('staff-outcomes', ['cornes-2015', 'welch-2013', 'welch-2017'],
      'However, delivery staff in Cornes, Whiteford & Manthorpe, (2015), Welch et al (2013)'
      ' and Welch et al. (2017) also reported that involving individual drug and alcohol '
      'users in planning and decision making regarding their budgets and encouraging them '
      'to make their own choices took extra time, required staff to take on roles outside '
      'their remit, involved lots of paperwork, and increased staff workloads.'),
    S('staff-outcomes', ['cornes-2015'],
      "Indeed, a Link Worker likened herself to an 'octopus' juggling multiple demands; a "
      'model of working which many believed would be unsustainable if the pilot was '
      'expanded into existing services (Cornes, Whiteford & Manthorpe, 2015).'),
    S('awareness', ['callanan-2012', 'cornes-2015', 'whiteford-2016'],
      'Most commonly, budget amounts were not disclosed to substance users (Callanan et '
      'al., 2012; Cornes, Whiteford & Manthorpe, 2015; Whiteford, Cornes & Williamson, '
      '2016).'),
    S('awareness', ['welch-2013'],
      'Although substance users in the national PHB pilot were meant to know how much they '
      'had been allocated, interviews revealed that some did not, even up to nine months '
      'later (Welch et al., 2013).'),
    S('awareness', ['welch-2013'],
      'One PHB holder argued that if she had known the budget amount before the care '
      'planning process began, she would have made different choices (Welch et al., 2013).'),
    S('awareness', ['welch-2013'],
      'Nevertheless, when budget holders from the same study knew the value of their PHB, '
      'most were satisfied, commenting that the amount was “very generous,” “plenty” for '
      'their needs (Welch et al., 2013).',
      quotes=('very generous', 'plenty')),
    S('managing', ['callanan-2012', 'welch-2013'],
      'Two studies reported using a notional budget approach, where budget recipients '
      'identified services which were then purchased on their behalf (Callanan et al., '
      '2012; Welch et al., 2013).'),
    S('managing', ['croft-2016'],
      'The US study allowed budget recipients to manage their own budget, although it does '
      'not state how this was done (Croft & Parish, 2016).'),
    S('managing', ['cornes-2015', 'whiteford-2016'],
      'It is also unclear how budgets were managed in the Fulfilling Lives pilot (Cornes, '
      'Whiteford & Manthorpe, 2015; Whiteford, Cornes & Williamson, 2016).'),
    S('managing', ['callanan-2012', 'whiteford-2016'],
      'Although drug and alcohol users could have the option to receive budgets in the form'
      ' of direct payments to make their own purchases, none were receptive to having this '
      'level of responsibility, so direct payments were not pursued (Callanan et al., 2012;'
      ' Whiteford, Cornes & Williamson, 2016):'),
    Q('managing', 'whiteford-2016',
      "They don't give me cash or money, and I think they're right not to, I don't want "
      'them to.',
      cite='Whiteford, Cornes & Williamson, 2016'),
    S('using-budgets', ['whiteford-2016'],
      'For example, drug and alcohol users in the FLIC pilot appeared to have little choice'
      ' and control over their budgets as Link Workers used the budgets on their behalf '
      '(Whiteford, Cornes & Williamson, 2016).'),
    S('using-budgets', ['welch-2013'],
      'However, in the PHB pilot, recipients consistently felt that they had greater choice'
      ' and control over the provision of care and treatment paid for by the PHB (Welch et '
      'al., 2013).'),
    S('using-budgets', ['croft-2016'],
      'One participant felt that self-direction was incompatible with the mutual support '
      'principles of Alcoholics Anonymous (Croft & Parish, 2016).'),
    S('using-budgets', ['callanan-2012', 'croft-2016', 'welch-2013'],
      'Otherwise, service users in the PHB and SDS pilots and in the US self-direction '
      'programme liked taking responsibility for their own treatment and recovery and '
      'welcomed making decisions about what services and support to access to suit their '
      'individual needs and lifestyles (Callanan et al., 2012; Croft & Parish, 2016; Welch '
      'et al., 2013).'),
    Q('using-budgets', 'callanan-2012',
      'She [care co-ordinator] seems to let me direct it, just guides me in the right '
      "direction... but my say is the final say in things, and if I mess up, it's on my "
      'toes.',
      cite='Callanan et al., 2012'),
    S('using-budgets',
      ['callanan-2012', 'cornes-2015', 'croft-2016', 'welch-2013', 'whiteford-2016'],
      'All studies which included substance users reported how they had used their budgets '
      '(Callanan et al., 2012; Cornes, Whiteford & Manthorpe, 2015; Croft & Parish, 2016; '
      'Welch et al., 2013; Whiteford, Cornes & Williamson, 2016).'),
    S('using-budgets', ['welch-2013'],
      'PHB recipients had commonly purchased traditional residential or community '
      'detoxification services (Welch et al., 2013).'),
    S('using-budgets', ['callanan-2012', 'welch-2013'],
      'More innovative PHB uses included driving lessons, alternative therapies (e.g. '
      'acupuncture and massage), leisure activities (e.g. gym classes, swimming, football '
      'and theatre tickets) and educational courses to improve life chances (Welch et al., '
      '2013), resonating with purchases made in the SDS pilot (Callanan et al., 2012).'),
    S('using-budgets', ['cornes-2015', 'welch-2013'],
      'Budgets had also been used for one-off purchases including clothing, passports, IT '
      'equipment, internet connections (Welch et al., 2013), diaries and mobile phone '
      'credit (Cornes, Whiteford & Manthorpe, 2015).'),
    Q('using-budgets', 'whiteford-2016',
      'When I needed all black for college to do this course - you had to wear all black – '
      "they came with me to H&M and got my gear for me. You know it's little things like "
      'that... that can help.',
      cite='Whiteford, Cornes & Williamson, 2016'),
    S('using-budgets', ['callanan-2012', 'cornes-2015', 'croft-2016', 'welch-2013'],
      'Budgets had also paid for transport (Callanan et al., 2012; Cornes, Whiteford & '
      'Manthorpe, 2015; Croft & Parish, 2016; Welch et al., 2013) to attend mutual support '
      'meetings (Croft & Parish, 2016) and treatment services (Welch et al., 2013).'),
    S('using-budgets', ['callanan-2012', 'welch-2013'],
      'Meanwhile, some of the UK studies which included service users also highlighted some'
      ' drug and alcohol user uncertainty about how personal budgets could be used and what'
      ' they could fund (Callanan et al., 2012; Welch et al., 2013).'),
    S('using-budgets', ['callanan-2012'],
      'For example, budget recipients in the SDS pilots said that there was no definitive '
      'list of services that could be accessed using their budget (Callanan et al., 2012).'),
    S('using-budgets', ['welch-2013'],
      'Similarly, PHB holders wanted more information during care planning on how budgets '
      'could be and had been used to assist decision-making (Welch et al., 2013).'),
    S('using-budgets', ['welch-2013'],
      'Furthermore, reflecting staff views, budget recipients in one of the included '
      'studies questioned when personal budgets should be provided (Welch et al., 2013).'),
    S('using-budgets', ['welch-2013'],
      'Recipients suggested that they would benefit most from the choices offered through '
      'the budgets after detoxification, rather than at crisis point (Welch et al., 2013).'),
    S('using-budgets', ['welch-2013'],
      'Indeed, PHB holders from this study commonly wanted post-detoxification after care '
      'to help prevent relapse, but they could not understand why after-care counselling '
      'could not be financed through their PHB (Welch et al., 2013).'),
    S('user-outcomes', ['callanan-2012', 'croft-2016', 'welch-2013'],
      'Drug and alcohol users believed that personal budgets helped to reduce their '
      'substance use/prescribed medication (Callanan et al., 2012; Welch et al., 2013) and '
      'to promote and maintain recovery (Croft & Parish, 2016).'),
    S('user-outcomes', ['callanan-2012', 'croft-2016'],
      'They felt that choosing which services to access through self-directed support led '
      'to a greater chance of recovery, compared to those accessed through the mainstream '
      'treatment system (Callanan et al., 2012; Croft & Parish, 2016).'),
    S('user-outcomes', ['welch-2013'],
      'Reflecting this, difference-in-difference analysis of the Alcohol Use Disorders '
      'Identification Test (AUDIT-C) data collected in the national PHB evaluation '
      'indicated that individuals in the PHB group had reduced excessive drinking at '
      'follow-up compared to the control group, although the sample size was too small to '
      'show a meaningful difference (Welch et al., 2013).'),
    S('user-outcomes', ['callanan-2012', 'welch-2013'],
      'Drug and alcohol users reported that having choice and control over personal budgets'
      ' improved and created more power-equal relationships with health professionals '
      '(Callanan et al., 2012; Welch et al., 2013).'),
    S('user-outcomes', ['callanan-2012', 'croft-2016', 'welch-2013'],
      'They also reported that using budgets to improve housing or to access leisure or '
      'education activities helped to provide routine and structure, reduce boredom, limit '
      'their time around other substance users and reduce their use (Callanan et al., 2012;'
      ' Croft & Parish, 2016; Welch et al., 2013).'),
    S('user-outcomes', ['callanan-2012'],
      'Improvements in physical and mental health were attributed to using SDS to access '
      'gym passes, fitness equipment, and specific forms of counselling to tackle the '
      'underlying causes of their substance use (Callanan et al., 2012).'),
    S('user-outcomes', ['welch-2013'],
      'Quantitative data analysis indicated greater improvements in care-related quality of'
      ' life (ASCOT) and psychological well-being (GHQ12) for individuals who received PHBs'
      ' compared to those who did not, although the difference was not statistically '
      'significant (Welch et al., 2013).'),
    S('user-outcomes', ['callanan-2012'],
      'Recipients noted benefits where SDS had funded travel to visit or undertake leisure '
      'activities with family:'),
    Q('user-outcomes', 'callanan-2012',
      'It meant the world. It meant me not reoffending to get money so that I could do '
      'these things with my son.',
      cite='Callanan et al., 2012'),
    S('user-outcomes', ['callanan-2012', 'welch-2013'],
      'Finally, in two of the included studies, drug and alcohol users identified that they'
      ' had experienced delays with budget purchases (Callanan et al., 2012; Welch et al., '
      '2013).'),
    S('user-outcomes', ['welch-2013'],
      'PHB holders believed that delays were due to bureaucracy, staff inexperience, or '
      'poor communication (Welch et al., 2013).'),
    S('user-outcomes', ['callanan-2012', 'welch-2013'],
      'Budget holders suggested that further information and more efficient implementation '
      'would have minimised delays and improved their experience of having a personal '
      'budget as delayed purchases made them feel frustrated, distressed, and anxious, '
      'especially if they were not kept informed (Callanan et al., 2012; Welch et al., '
      '2013).'),
    S('user-outcomes', ['welch-2013'],
      'Personal health budget recipients perceived that such emotions were not conducive to'
      ' overcoming substance use and maintaining abstinence (Welch et al., 2013).'),
    S('user-outcomes', ['welch-2013'],
      'Similarly, if contact between budget recipients and frontline staff reduced, '
      'patients reported feeling unsupported, vulnerable, and with unanswered questions '
      'about their budgets (Welch et al., 2013).'),
]


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    role: str
    theme: str


def short_id(*parts: object) -> str:
    """16 hex digits, derived from content so that ids are stable across rebuilds."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def source_text(record: str, names: dict[str, str]) -> tuple[str, list[Segment]]:
    """The text of one record's source file and its segments (offsets into that text)."""
    text = (
        f"Findings reported for {RECORDS[record]}\n"
        f"From {PAPER}, section Findings. Every sentence below is the paper's, verbatim and in"
        " the paper's order, under the paper's heading in brackets; lines starting with '> '"
        " are the paper's quotations of participants, with the paper's attribution.\n"
    )
    segments: list[Segment] = []
    heading = None
    for entry in SPEC:
        if record not in entry.records:
            continue
        if entry.theme != heading:
            heading = entry.theme
            text += f"\n[Findings: {names[heading]}]\n"
        text += "\n"
        if isinstance(entry, Q):
            text += "> "
            segments.append(Segment(len(text), len(text) + len(entry.text), PARTICIPANT,
                                    entry.theme))
            text += f"{entry.text} ({entry.cite})\n"
        else:
            start = len(text)
            segments.append(Segment(start, start + len(entry.text), AUTHOR, entry.theme))
            for quote in entry.quotes:
                at = start + entry.text.index(quote)
                segments.append(Segment(at, at + len(quote), PARTICIPANT, entry.theme))
            text += f"{entry.text}\n"
    return text, segments


def event(n: int, kind: str, **fields: object) -> dict[str, object]:
    at = (START + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"v": 1, "id": short_id(n, kind, *fields.values()), "type": kind, "coder": CODER,
            "at": at, **fields}


def build(root: Path = ROOT) -> dict[str, bytes]:
    """Every generated file (path relative to root -> bytes); reads the codebook and studies."""
    codebook = yaml.safe_load((root / "synthesis" / "codebook.yaml").read_text("utf-8"))
    names = {code["id"]: code["name"] for code in codebook["codes"]}
    with open(root / "studies.toml", "rb") as fh:
        studies = {study["id"] for study in tomllib.load(fh)["study"]}
    for entry in SPEC:
        if entry.theme not in names:
            raise ValueError(f"code {entry.theme!r} is not in synthesis/codebook.yaml")
        if not set(entry.records) <= studies:
            raise ValueError(f"unknown record in {entry.records} (studies.toml)")

    files: dict[str, bytes] = {}
    toml = ["# Generated by scripts/build_example_synthesis.py from the paper's Findings"
            " section;", "# edit the script, not this file.", ""]
    events: list[dict[str, object]] = []
    for record in RECORDS:
        text, segments = source_text(record, names)
        source = f"{record}-findings"
        path = f"synthesis/sources/{source}.txt"
        data = text.encode("utf-8")
        files[path] = data
        toml += ["[[source]]", f"id = {json.dumps(source)}", f"study = {json.dumps(record)}",
                 'report = ""', f"file = {json.dumps(path)}",
                 f"sha256 = {json.dumps(hashlib.sha256(data).hexdigest())}",
                 f"title = {json.dumps('Findings reported for ' + RECORDS[record])}", ""]
        for seg in segments:
            seg_id = short_id(source, seg.start, seg.end)
            events.append(event(len(events), "segment", segment=seg_id, source=source,
                                start=seg.start, end=seg.end, text=text[seg.start:seg.end],
                                role=seg.role, page=""))
            events.append(event(len(events), "apply", segment=seg_id, code=seg.theme))
    files["synthesis/sources.toml"] = "\n".join(toml).rstrip("\n").encode() + b"\n"
    files["synthesis/coding/tompkins.jsonl"] = "".join(
        json.dumps(e, ensure_ascii=False) + "\n" for e in events).encode("utf-8")
    return files


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        stale = [p for p, data in files.items()
                 if not (ROOT / p).exists() or (ROOT / p).read_bytes() != data]
        for path in stale:
            print(f"stale: {path}")
        return 1 if stale else 0
    for path, data in files.items():
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
