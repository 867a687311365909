public import Hummingbird
public import HTTPTypes
public import RestableCore

extension HTTPField.Name {
    /// `Restable-Transaction`: the journal's id of the transaction a request committed, on
    /// every dialect (see `GET /api/_transactions/{id}` on a native mount).
    public static let restableTransaction = HTTPField.Name("Restable-Transaction")!
    /// `Link` (RFC 8288): the next page of a list.
    static let link = HTTPField.Name("Link")!
}

extension Response {
    /// This response with `Restable-Transaction` when `outcome` committed a journaled transaction.
    public func naming(_ outcome: ChangeOutcome) -> Response {
        guard let transaction = outcome.transaction else { return self }
        var response = self
        response.headers[.restableTransaction] = transaction
        return response
    }
}
