package Catmandu::Store::OaiFixture::Bag;

# A Hash bag that can be searched with CQL: the query is parsed with CQL::Parser and the tree
# is evaluated against each record in insertion order (the order the test wrote the records,
# which is datestamp order). Terms compare strings; a list field matches if any value does.
# What the plugin sends: cql.allRecords, "and", "or", and the relations exact = < <= > >=.
# A query CQL::Parser cannot read dies, as a search server's error would.

use Catmandu::Sane;
use Moo;
use CQL::Parser;
use Catmandu::Hits;
use namespace::clean;

extends 'Catmandu::Store::Hash::Bag';
with 'Catmandu::CQLSearchable';

my %COMPARE = (
    'exact' => sub { $_[0] eq $_[1] },
    '='     => sub { $_[0] eq $_[1] },
    '<'     => sub { $_[0] lt $_[1] },
    '<='    => sub { $_[0] le $_[1] },
    '>'     => sub { $_[0] gt $_[1] },
    '>='    => sub { $_[0] ge $_[1] },
);

sub translate_cql_query {
    my ($self, $cql) = @_;
    return CQL::Parser->new->parse($cql);    # dies on a query it cannot parse
}

sub translate_sru_sortkeys {
    my ($self, $keys) = @_;
    my ($field, undef, $ascending) = split /,/, $keys;
    return {field => $field, ascending => $ascending // 1};
}

sub _matches {
    my ($node, $record) = @_;
    return _matches($node->left, $record) && _matches($node->right, $record) if $node->isa('CQL::AndNode');
    return _matches($node->left, $record) || _matches($node->right, $record) if $node->isa('CQL::OrNode');
    die 'CQL node not supported: ' . ref($node) . "\n" unless $node->isa('CQL::TermNode');
    my $term = $node->getTerm;
    my $index = $node->getQualifier // '';
    return 1 if $term eq 'cql.allRecords' || $index eq 'cql.allRecords';
    my $compare = $COMPARE{$node->getRelation->getBase} or die 'CQL relation not supported: ' . $node->getRelation->getBase . "\n";
    my $value = $record->{$index};
    for my $one (ref $value eq 'ARRAY' ? @$value : $value) {
        return 1 if defined $one && $compare->($one, $term);
    }
    return 0;
}

sub search {
    my ($self, %args) = @_;
    my $query = $args{query};
    my @found = grep { !$query || _matches($query, $_) } @{$self->to_array};
    if (my $sort = $args{sort}) {
        my $field = $sort->{field};
        @found = sort { $a->{$field} cmp $b->{$field} } @found;
        @found = reverse @found unless $sort->{ascending};
    }
    my ($start, $limit) = ($args{start} // 0, $args{limit} // 10);
    my $total = scalar @found;
    my $end = $start + $limit - 1 < $total - 1 ? $start + $limit - 1 : $total - 1;    # a slice past the end would grow @found
    my @page = $start <= $end ? @found[$start .. $end] : ();
    return Catmandu::Hits->new(start => $start, limit => $limit, total => $total, hits => \@page);
}

sub searcher        { die "not supported by this fixture store\n" }
sub delete_by_query { die "not supported by this fixture store\n" }

1;
