import RestableCore

/// A small schema built in code: customers, their orders (cascade), order lines with a
/// composite key, products (restrict, locking required) and users (set null).
enum Fixtures {
    static let customer = Resource(
        name: "customer", key: ["name"],
        columns: [Column(name: "name", type: .text), Column(name: "balance", type: .decimal)])
    static let order = Resource(
        name: "purchase_order", key: ["order_id"],
        columns: [
            Column(name: "order_id", type: .integer, generated: true), Column(name: "customer_name", type: .text, required: true),
            Column(name: "created_by", type: .integer),
        ])
    static let line = Resource(
        name: "line_item", key: ["order_id", "line_no"],
        columns: [
            Column(name: "order_id", type: .integer), Column(name: "line_no", type: .integer),
            Column(name: "product_id", type: .integer, required: true), Column(name: "qty", type: .integer),
        ])
    static let product = Resource(
        name: "product", key: ["id"],
        columns: [Column(name: "id", type: .integer), Column(name: "name", type: .text), Column(name: "in_stock", type: .boolean)],
        optimisticLocking: .required)
    static let user = Resource(
        name: "user", key: ["user_id"], columns: [Column(name: "user_id", type: .integer), Column(name: "name", type: .text)])

    static let schema = Schema(
        resources: [line, order, customer, product, user],
        relationships: [
            Relationship(parent: "customer", child: "purchase_order", columns: ["customer_name"], onDelete: .cascade),
            Relationship(parent: "purchase_order", child: "line_item", columns: ["order_id"], onDelete: .cascade),
            Relationship(parent: "product", child: "line_item", columns: ["product_id"], onDelete: .restrict),
            Relationship(parent: "user", child: "purchase_order", columns: ["created_by"], onDelete: .setNull),
        ])
}
