#!/usr/bin/env perl
# Peer B: Debian's Dancer::Plugin::Catmandu::OAI (libdancer-plugin-catmandu-oai-perl) on
# 127.0.0.1, over an in-memory store loaded from the records file the test writes.
#
#   perl serve.pl RECORDS.jsonl PORT PAGE_SIZE SECONDS
#
# Everything OAI-PMH here is the plugin's; ours is only the store (lib/) and the two payload
# templates (views/). The process ends by itself after SECONDS (alarm), or on SIGTERM.
use strict;
use warnings;
use FindBin qw($Bin);
use lib "$Bin/lib";

use Catmandu;
use Dancer;
use Dancer::Plugin::Catmandu::OAI;

my ($records, $port, $page_size, $seconds) = @ARGV;
die "usage: serve.pl RECORDS.jsonl PORT PAGE_SIZE SECONDS\n" unless $seconds;

$SIG{ALRM} = sub { exit 0 };
$SIG{TERM} = sub { exit 0 };
alarm $seconds;

Catmandu->config->{store}{peer} = {package => 'OaiFixture'};
my $bag = Catmandu->store('peer')->bag;
$bag->add_many(Catmandu->importer('JSON', file => $records, line_delimited => 1));

my @sets = @{Catmandu->importer('JSON', file => "$records.sets", line_delimited => 1)->to_array};

set serializer   => undef;
set server       => '127.0.0.1';
set port         => $port;
set charset      => 'UTF-8';
set logger       => 'null';
set startup_info => 0;
set plugins      => {'Catmandu::OAI' => {
    store                => 'peer',
    bag                  => 'data',
    datestamp_field      => 'datestamp',
    repositoryName       => 'Peer B (Dancer::Plugin::Catmandu::OAI)',
    uri_base             => "http://127.0.0.1:$port/oai",
    adminEmail           => 'oai@peer-b.libharness.test',
    deletedRecord        => 'persistent',
    repositoryIdentifier => 'peer-b.libharness.test',
    delimiter            => ':',
    sampleIdentifier     => 'oai:peer-b.libharness.test:hx0000001',
    limit                => $page_size,
    metadata_formats     => [
        {metadataPrefix => 'oai_dc', template => "$Bin/views/oai_dc.tt",
         schema => 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd',
         metadataNamespace => 'http://www.openarchives.org/OAI/2.0/oai_dc/'},
        {metadataPrefix => 'marc21', template => "$Bin/views/marc21.tt",
         schema => 'http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd',
         metadataNamespace => 'http://www.loc.gov/MARC21/slim'},
    ],
    sets => [map { +{setSpec => $_->{spec}, setName => $_->{name}, cql => qq{sets exact "$_->{spec}"}} } @sets],
}};

oai_provider '/oai',
    deleted       => sub { $_[0]->{deleted} ? 1 : 0 },
    set_specs_for => sub { $_[0]->{sets} // [] };

print STDERR "peer B: " . $bag->count . " records on http://127.0.0.1:$port/oai\n";
dance;
