/// The bundled demo: the data that the README's tour and the vendor seed documents use.
///
/// Served when `restable serve` runs without `--config`; `restable demo-config` prints it as a
/// starting point for a configuration of one's own.
public enum DemoConfiguration {
    /// Where the demo keeps its data unless `--database` says otherwise.
    public static let defaultDatabase = "sqlite:restable-demo.sqlite"

    public static func load() throws(ConfigurationError) -> Configuration {
        try ConfigurationLoader.parse(yaml, file: "the bundled demo configuration")
    }

    public static let yaml = """
        # The Restable demo: customers and orders, products, contact groups, and an ad platform.
        database: sqlite:restable-demo.sqlite

        resources:
          customer:
            key: name
            columns: { name: text, balance: decimal, credit_limit: decimal }
            optimisticLocking: optional
          purchase_order:
            key: order_id
            columns: { order_id: integer generated, customer_name: text required, amount_total: decimal, notes: text }
          line_item:
            key: [order_id, line_no]
            columns: { order_id: integer, line_no: integer, product_id: integer required, qty: integer, amount: decimal }
          product:
            key: id
            columns: { id: integer generated, name: text required, price: decimal }
            optimisticLocking: required
          contact_group:
            key: id
            columns: { id: integer generated, name: text required unique }
          contact_group_contact:
            key: id
            columns: { id: integer generated, contact_group_id: integer required, contact_id: integer required }
          advertiser:
            key: advertiser_id
            columns: { advertiser_id: integer generated, advertiser_name: text required }
          campaign:
            key: campaign_id
            columns: { campaign_id: integer generated, advertiser_id: integer required, created_by: integer, campaign_name: text required }
          user:
            key: user_id
            columns: { user_id: integer generated, user_name: text required, email: text }

        relationships:
          - { parent: customer, child: purchase_order, columns: [customer_name], onDelete: cascade }
          - { parent: purchase_order, child: line_item, columns: [order_id], onDelete: cascade }
          - { parent: product, child: line_item, columns: [product_id], onDelete: restrict }
          - { parent: contact_group, child: contact_group_contact, columns: [contact_group_id], onDelete: cascade }
          - { parent: advertiser, child: campaign, columns: [advertiser_id], onDelete: restrict }
          - { parent: user, child: campaign, columns: [created_by], onDelete: setNull }

        mounts:
          - { path: /api, dialect: native }
          - path: /rest/el-local/demo/v1
            dialect: liveapi
            names: { "demo:customer": customer, "demo:PurchaseOrder": purchase_order, "demo:LineItem": line_item }
          - path: /rest/el-dev/demo/v1
            dialect: liveapi
            names: { "demo:customer": customer, "demo:PurchaseOrder": purchase_order, "demo:LineItem": line_item }
          - path: /APIServer/rest/el-local/demo/v1
            dialect: liveapi
            names: { "demo:customer": customer, "demo:PurchaseOrder": purchase_order, "demo:LineItem": line_item }
          - { path: /rest/acme/sales/v1, dialect: liveapi, names: { "inv:product": product } }
          - { path: /atservicesrest/v1.0, dialect: autotask, names: { ContactGroups: contact_group, Contacts: contact_group_contact } }
          - { path: /rest, dialect: buzz, names: { advertiser: advertiser, campaign: campaign, user: user } }

        seed:
          customer:
            - { name: New Customer, balance: 0, credit_limit: 1000 }
            - { name: Golf Industries, balance: 1800, credit_limit: 5000 }
            - { name: Alpha and Sons, balance: 250, credit_limit: 2000 }
            - { name: Bravo Hardware, balance: 0, credit_limit: 1500 }
          product:
            - { id: 101, name: Hammer, price: 10 }
            - { id: 102, name: Shovel, price: 25 }
            - { id: 103, name: Drill, price: 315 }
            - { id: 104, name: Pliers, price: 18.5 }
            - { id: 105, name: Ladder, price: 120 }
          purchase_order:
            - { order_id: 1, customer_name: Golf Industries, amount_total: 35, notes: Rush delivery }
            - { order_id: 2, customer_name: Golf Industries, amount_total: 10, notes: ~ }
            - { order_id: 3, customer_name: Alpha and Sons, amount_total: 25, notes: Call before delivery }
          line_item:
            - { order_id: 1, line_no: 1, product_id: 101, qty: 1, amount: 10 }
            - { order_id: 1, line_no: 2, product_id: 102, qty: 1, amount: 25 }
            - { order_id: 2, line_no: 1, product_id: 101, qty: 1, amount: 10 }
            - { order_id: 3, line_no: 1, product_id: 102, qty: 1, amount: 25 }
          contact_group:
            - { id: 1, name: Test Group 1 }
            - { id: 2, name: Test Group 2 }
            - { id: 3, name: Test Group 3 }
            - { id: 4, name: Test Group 4 }
            - { id: 5, name: Test Group 5 }
            - { id: 6, name: Test Group 6 }
          contact_group_contact:
            - { id: 1, contact_group_id: 4, contact_id: 30 }
            - { id: 2, contact_group_id: 4, contact_id: 31 }
            - { id: 3, contact_group_id: 5, contact_id: 30 }
          user:
            - { user_id: 1, user_name: alice, email: alice@example.com }
            - { user_id: 2, user_name: bob, email: bob@example.com }
            - { user_id: 3, user_name: carol, email: carol@example.com }
            - { user_id: 4, user_name: dave, email: dave@example.com }
            - { user_id: 5, user_name: erin, email: erin@example.com }
          advertiser:
            - { advertiser_id: 1, advertiser_name: Acme Ads }
            - { advertiser_id: 2, advertiser_name: Blue Sky Media }
            - { advertiser_id: 3, advertiser_name: Corner Shop }
            - { advertiser_id: 4, advertiser_name: Delta Travel }
            - { advertiser_id: 5, advertiser_name: Echo Sports }
          campaign:
            - { campaign_id: 1, advertiser_id: 3, created_by: 2, campaign_name: Spring Sale }
            - { campaign_id: 2, advertiser_id: 3, created_by: 2, campaign_name: Summer Sale }
            - { campaign_id: 3, advertiser_id: 4, created_by: 3, campaign_name: Winter Getaway }
        """
}
