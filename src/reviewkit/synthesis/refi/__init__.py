"""REFI-QDA exchange: the codebook as .qdc, the coded project as .qdpx, and back.

Offsets: REFI counts characters of the plain text. reviewkit writes Unicode code
points of the text as reviewkit reads it (UTF-8, LF line ends, no BOM), the same
offsets its coding logs hold. Import also reads offsets counted in UTF-16 code
units and/or with CRLF as two (NVivo), choosing per source the reading under
which the selections fall on word boundaries.
"""
