package Catmandu::Store::OaiFixture;

# An in-memory Catmandu store whose bags answer the CQL that Dancer::Plugin::Catmandu::OAI
# sends (the Debian package ships no searchable store that runs without a search server).
# Test-fixture code of libharness; see Catmandu::Store::OaiFixture::Bag.

use Catmandu::Sane;
use Moo;
use Catmandu::Store::OaiFixture::Bag;
use namespace::clean;

extends 'Catmandu::Store::Hash';

1;
